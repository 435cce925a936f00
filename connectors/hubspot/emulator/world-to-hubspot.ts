import { DateTime } from 'luxon';
import { CALL_OUTCOME_GUIDS, DEFAULT_DEAL_PIPELINE_ID, LEAD_PIPELINE_ID, LEAD_STAGES } from '../builtins.ts';
import {
  STAGES,
  type ForecastCategory,
  type LeadSource,
  type LeadStatus,
  type RepBook,
  type World,
  type WorldHeader,
  type WorldLead,
  type WorldUser,
} from '../../world/types.ts';
import type { PortalStore } from './portal-store.ts';
import type { PropertyValues } from './store/hubspot-record.ts';
import { defaultDealPipeline, defaultLeadPipeline } from './schema/default-pipelines.ts';

/**
 * Renders the provider-neutral world as a HubSpot portal: owners (every user, departed ones
 * archived, lead queues as QUEUE owners) with teams that encode the reporting tree, the deals and
 * leads pipelines with stage metadata, and the CRM objects with their associations. Like the
 * Salesforce renderer it decides nothing a KPI depends on; it spells the same world the way
 * HubSpot would, so both CRMs normalize to the same canonical rows (README.md, "Parity").
 *
 * Ids are numeric strings derived from world keys (one range per object type), so references
 * across rep books need no lookup tables.
 */

const ID_BASE = {
  owner: 10_000_000,
  queueOwner: 11_000_000,
  userId: 20_000_000,
  deals: 1_000_000_000,
  line_items: 2_000_000_000,
  quoteLineItems: 2_500_000_000,
  quotes: 3_000_000_000,
  calls: 4_000_000_000,
  emails: 4_300_000_000,
  meetings: 4_600_000_000,
  leads: 5_000_000_000,
  contacts: 5_500_000_000,
  goal_targets: 6_000_000_000,
  users: 7_000_000_000,
} as const;

export const ownerIdOf = (userKey: number) => String(ID_BASE.owner + userKey);
export const userIdOf = (userKey: number) => ID_BASE.userId + userKey;
const id = (kind: keyof typeof ID_BASE, key: number) => String(ID_BASE[kind] + key);

const FORECAST: Record<ForecastCategory, string> = {
  omitted: 'OMIT',
  pipeline: 'PIPELINE',
  best_case: 'BEST_CASE',
  commit: 'COMMIT',
  closed: 'CLOSED',
};
export const LEAD_SOURCE_VALUES: Record<LeadSource, string> = {
  web: 'WEB',
  phone_inquiry: 'PHONE_INQUIRY',
  partner_referral: 'PARTNER_REFERRAL',
  employee_referral: 'EMPLOYEE_REFERRAL',
  purchased_list: 'PURCHASED_LIST',
  trade_show: 'TRADE_SHOW',
  other: 'OTHER',
};
const ANALYTICS_SOURCE: Record<LeadSource, string> = {
  web: 'ORGANIC_SEARCH',
  phone_inquiry: 'OFFLINE',
  partner_referral: 'REFERRALS',
  employee_referral: 'REFERRALS',
  purchased_list: 'OFFLINE',
  trade_show: 'OFFLINE',
  other: 'OTHER_CAMPAIGNS',
};
const LEAD_STAGE: Record<LeadStatus, string> = {
  open: LEAD_STAGES.new.id,
  working: LEAD_STAGES.attempting.id,
  converted: LEAD_STAGES.qualified.id,
  not_converted: LEAD_STAGES.unqualified.id,
};
const CONTACT_STATUS: Record<LeadStatus, string> = {
  open: 'NEW',
  working: 'IN_PROGRESS',
  converted: 'OPEN_DEAL',
  not_converted: 'UNQUALIFIED',
};
const QUOTE_STATUS = {
  draft: 'DRAFT',
  in_review: 'PENDING_APPROVAL',
  rejected: 'REJECTED',
} as const;

export class WorldRenderer {
  private readonly store: PortalStore;
  private readonly header: WorldHeader;
  private readonly timezone: string;
  private readonly usersByKey: Map<number, WorldUser>;
  private readonly teamIds = new Map<number, string>();
  private readonly purgeBeforeMs: number;

  constructor(store: PortalStore, header: WorldHeader) {
    this.store = store;
    this.header = header;
    this.timezone = header.org.timezone;
    this.usersByKey = new Map(header.users.map((user) => [user.key, user]));
    this.purgeBeforeMs = store.clock.nowMs() - store.settings.archiveRetentionDays * 86_400_000;
  }

  /** Owners, teams, users and pipelines; call once, before any book. */
  renderHeader(): void {
    const { users, queues } = this.header;
    // A team per user who manages someone; its lead belongs to it as an additional member.
    for (const user of users) {
      if (user.managerKey !== null && !this.teamIds.has(user.managerKey))
        this.teamIds.set(user.managerKey, String(300 + this.teamIds.size));
    }
    for (const user of users) {
      const teams: Array<{ id: string; name: string; primary: boolean }> = [];
      if (user.managerKey !== null)
        teams.push({
          id: this.teamIds.get(user.managerKey)!,
          name: this.teamName(user.managerKey),
          primary: true,
        });
      const led = this.teamIds.get(user.key);
      if (led) teams.push({ id: led, name: this.teamName(user.key), primary: false });
      const userId = userIdOf(user.key);
      this.store.setOwner({
        id: ownerIdOf(user.key),
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        type: 'PERSON',
        userId: user.isActive ? userId : null,
        userIdIncludingInactive: userId,
        archived: !user.isActive,
        createdAt: user.createdAt,
        updatedAt: user.modifiedAt,
        teams,
      });
      this.load('users', id('users', user.key), user, {
        hs_internal_user_id: String(userId),
        hs_email: user.email,
        hs_given_name: user.firstName,
        hs_family_name: user.lastName,
        hs_job_title: user.title,
      });
    }
    for (const queue of queues) {
      this.store.setOwner({
        id: String(ID_BASE.queueOwner + queue.key),
        email: null,
        firstName: queue.name,
        lastName: '',
        type: 'QUEUE',
        userId: null,
        userIdIncludingInactive: null,
        archived: false,
        createdAt: this.store.portal.createdAt,
        updatedAt: this.store.portal.createdAt,
        teams: [],
      });
    }
    this.store.pipelines.set('deals', defaultDealPipeline(this.store.portal.createdAt));
    this.store.pipelines.set('leads', defaultLeadPipeline(this.store.portal.createdAt));
  }

  renderBook(book: RepBook | World): void {
    for (const lead of book.leads) this.renderLead(lead);
    for (const call of book.calls) {
      const completed = call.status === 'completed';
      this.load('calls', id('calls', call.key), call, {
        hs_timestamp: call.at,
        hs_call_title: call.subject,
        hs_call_direction: call.direction === 'outbound' ? 'OUTBOUND' : 'INBOUND',
        hs_call_status: completed ? 'COMPLETED' : 'QUEUED',
        hs_call_disposition: call.outcome === null ? null : CALL_OUTCOME_GUIDS[call.outcome],
        hs_call_duration: call.durationSeconds === null ? null : String(call.durationSeconds * 1000),
        hubspot_owner_id: ownerIdOf(call.ownerUserKey),
      });
      this.linkActivity('calls', id('calls', call.key), call);
    }
    for (const email of book.emails) {
      this.load('emails', id('emails', email.key), email, {
        hs_timestamp: email.sentAt,
        hs_email_subject: email.subject,
        hs_email_direction: email.direction === 'outbound' ? 'EMAIL' : 'INCOMING_EMAIL',
        hs_email_status: email.direction === 'outbound' ? 'SENT' : null,
        hubspot_owner_id: ownerIdOf(email.ownerUserKey),
      });
      this.linkActivity('emails', id('emails', email.key), email);
    }
    for (const meeting of book.meetings) {
      this.load('meetings', id('meetings', meeting.key), meeting, {
        hs_timestamp: meeting.startAt,
        hs_meeting_title: meeting.subject,
        hs_meeting_start_time: meeting.startAt,
        hs_meeting_end_time: meeting.endAt,
        hs_meeting_outcome: meeting.outcome.toUpperCase(),
        hs_activity_type: 'Meeting',
        hs_attendee_owner_ids:
          meeting.inviteeUserKeys.length === 0 ? null : meeting.inviteeUserKeys.map(ownerIdOf).join(';'),
        hubspot_owner_id: ownerIdOf(meeting.ownerUserKey),
      });
      this.linkActivity('meetings', id('meetings', meeting.key), {
        leadKey: null,
        opportunityKey: meeting.opportunityKey,
      });
    }
    const dealOwner = new Map<number, number>();
    for (const deal of book.opportunities) {
      dealOwner.set(deal.key, deal.ownerUserKey);
      const stage = STAGES.find((s) => s.key === deal.stage)!;
      this.load('deals', id('deals', deal.key), deal, {
        dealname: deal.name,
        amount: deal.amount === null ? null : String(deal.amount),
        deal_currency_code: this.currency(deal.currency),
        pipeline: DEFAULT_DEAL_PIPELINE_ID,
        dealstage: stage.hubspotId,
        closedate: this.closeInstant(deal.closeDate, deal.key),
        hubspot_owner_id: ownerIdOf(deal.ownerUserKey),
        hs_forecast_category: FORECAST[deal.forecastCategory],
        dealtype: deal.type === 'new_business' ? 'newbusiness' : 'existingbusiness',
        hs_v2_date_entered_current_stage: deal.modifiedAt,
      });
      if (deal.convertedFromLeadKey !== null)
        this.store.associations.add(
          'deals',
          id('deals', deal.key),
          'contacts',
          id('contacts', deal.convertedFromLeadKey),
        );
    }
    const dealCurrency = new Map(book.opportunities.map((deal) => [deal.key, deal.currency]));
    for (const line of book.opportunityLineItems) {
      const lineId = id('line_items', line.key);
      this.load('line_items', lineId, line, this.lineProperties(line, dealCurrency.get(line.opportunityKey)));
      this.store.associations.add('line_items', lineId, 'deals', id('deals', line.opportunityKey));
    }
    const quoteLines = new Map<number, typeof book.quoteLineItems>();
    for (const line of book.quoteLineItems)
      quoteLines.set(line.quoteKey, [...(quoteLines.get(line.quoteKey) ?? []), line]);
    for (const quote of book.quotes) {
      const quoteId = id('quotes', quote.key);
      const lines = quoteLines.get(quote.key) ?? [];
      const total = lines
        .filter((line) => line.deletedAt === null)
        .reduce((sum, line) => sum + line.totalPrice, 0);
      const owner = dealOwner.get(quote.opportunityKey);
      this.load('quotes', quoteId, quote, {
        hs_title: quote.name,
        hs_quote_number: String(quote.key),
        hs_quote_amount: String(Math.round(total * 100) / 100),
        hs_currency: this.currency(quote.currency),
        hs_expiration_date: quote.expirationDate,
        hubspot_owner_id: owner === undefined ? null : ownerIdOf(owner),
        ...quoteStatus(quote.status, quote.key, quote.modifiedAt),
      });
      this.store.associations.add('quotes', quoteId, 'deals', id('deals', quote.opportunityKey));
      for (const line of lines) {
        const lineId = id('quoteLineItems', line.key);
        this.load('line_items', lineId, line, this.lineProperties(line, quote.currency));
        this.store.associations.add('line_items', lineId, 'quotes', quoteId);
      }
    }
    for (const quota of book.quotas) {
      const user = this.usersByKey.get(quota.userKey);
      this.load('goal_targets', id('goal_targets', quota.key), quota, {
        hs_goal_name: quota.periodType === 'quarter' ? 'Quarterly revenue quota' : 'Monthly revenue quota',
        hs_target_amount: String(quota.amount),
        hs_start_datetime: DateTime.fromISO(quota.periodStart, { zone: this.timezone })
          .startOf('day')
          .toUTC()
          .toISO()!,
        hs_end_datetime: DateTime.fromISO(quota.periodEnd, { zone: this.timezone })
          .endOf('day')
          .toUTC()
          .toISO()!,
        hs_assignee_user_id: String(userIdOf(quota.userKey)),
        hs_assignee_team_id: user?.managerKey == null ? null : (this.teamIds.get(user.managerKey) ?? null),
        hs_group_correlation_uuid: correlationUuid(quota.userKey, quota.periodType),
      });
    }
  }

  private renderLead(lead: WorldLead): void {
    const leadId = id('leads', lead.key);
    const contactId = id('contacts', lead.key);
    const owner =
      lead.ownerUserKey !== null
        ? ownerIdOf(lead.ownerUserKey)
        : String(ID_BASE.queueOwner + lead.ownerQueueKey!);
    this.load('leads', leadId, lead, {
      hs_lead_name: `${lead.firstName} ${lead.lastName}`,
      hs_pipeline: LEAD_PIPELINE_ID,
      hs_pipeline_stage: LEAD_STAGE[lead.status],
      hs_v2_date_entered_current_stage: this.stageEntered(lead),
      lead_source: lead.source === null ? null : LEAD_SOURCE_VALUES[lead.source],
      hubspot_owner_id: owner,
    });
    this.load('contacts', contactId, lead, {
      email: lead.email,
      firstname: lead.firstName,
      lastname: lead.lastName,
      company: lead.company,
      lifecyclestage:
        lead.status === 'converted'
          ? lead.convertedOpportunityKey === null
            ? 'salesqualifiedlead'
            : 'opportunity'
          : 'lead',
      hs_lead_status: CONTACT_STATUS[lead.status],
      hs_analytics_source: lead.source === null ? null : ANALYTICS_SOURCE[lead.source],
      hubspot_owner_id: lead.ownerUserKey === null ? null : ownerIdOf(lead.ownerUserKey),
    });
    this.store.associations.add('leads', leadId, 'contacts', contactId);
  }

  /** When the lead entered its current stage: for a conversion, an instant on the conversion date. */
  private stageEntered(lead: WorldLead): string {
    if (lead.convertedOn === null) return lead.status === 'open' ? lead.createdAt : lead.modifiedAt;
    const modified = DateTime.fromISO(lead.modifiedAt, { zone: this.timezone });
    return modified.toFormat('yyyy-MM-dd') === lead.convertedOn
      ? lead.modifiedAt
      : DateTime.fromISO(`${lead.convertedOn}T12:00:00`, { zone: this.timezone }).toUTC().toISO()!;
  }

  private lineProperties(
    line: {
      productName: string;
      productCode: string;
      quantity: number;
      listPrice: number;
      totalPrice: number;
    },
    currency: string | undefined,
  ): PropertyValues {
    // price is the list price; the per-unit discount brings list × quantity down to the net total.
    const totalDiscount = Math.round((line.listPrice * line.quantity - line.totalPrice) * 100) / 100;
    return {
      name: line.productName,
      hs_sku: line.productCode,
      price: String(line.listPrice),
      quantity: String(line.quantity),
      discount: totalDiscount === 0 ? null : String(totalDiscount / line.quantity),
      hs_line_item_currency_code: this.currency(currency ?? this.header.org.homeCurrency),
    };
  }

  private linkActivity(
    type: string,
    activityId: string,
    link: { leadKey: number | null; opportunityKey: number | null },
  ): void {
    if (link.opportunityKey !== null)
      this.store.associations.add(type, activityId, 'deals', id('deals', link.opportunityKey));
    if (link.leadKey !== null)
      this.store.associations.add(type, activityId, 'contacts', id('contacts', link.leadKey));
  }

  private load(
    type: string,
    recordId: string,
    entity: { createdAt: string; modifiedAt: string; deletedAt?: string | null },
    properties: PropertyValues,
  ): void {
    const deletedAt = entity.deletedAt ?? null;
    if (deletedAt !== null && Date.parse(deletedAt) < this.purgeBeforeMs) return;
    const created = this.store.table(type).type.createdProperty;
    this.store.load(type, {
      id: recordId,
      properties: {
        ...properties,
        [created]: entity.createdAt,
        hs_lastmodifieddate: entity.modifiedAt,
        ...(type === 'contacts' ? { lastmodifieddate: entity.modifiedAt } : {}),
      },
      createdAt: entity.createdAt,
      updatedAt: entity.modifiedAt,
      archivedAt: deletedAt,
    });
  }

  /** A single-currency portal keeps every amount in the company currency. */
  private currency(code: string): string {
    return this.header.org.multiCurrency ? code : this.header.org.homeCurrency;
  }

  /** Closed-date instants at varying local hours, so some fall on the next day in UTC. */
  private closeInstant(date: string, key: number): string {
    return DateTime.fromISO(`${date}T00:00:00`, { zone: this.timezone })
      .plus({ hours: 9 + (key % 15), minutes: (key * 7) % 60 })
      .toUTC()
      .toISO()!;
  }

  private teamName(leaderKey: number): string {
    const leader = this.usersByKey.get(leaderKey);
    return leader?.team ?? `${leader?.firstName ?? 'Team'} ${leader?.lastName ?? leaderKey}`;
  }
}

/**
 * hs_status and the signature properties of a quote. Presented, accepted and denied quotes are
 * published; accepted ones are e-signed by every signer or marked manually signed.
 */
function quoteStatus(status: string, key: number, modifiedAt: string): PropertyValues {
  if (status === 'draft' || status === 'in_review' || status === 'rejected')
    return { hs_status: QUOTE_STATUS[status], hs_esign_enabled: 'false' };
  const published = key % 2 === 0 ? 'APPROVAL_NOT_NEEDED' : 'APPROVED';
  if (status === 'accepted') {
    if (key % 3 === 0) return { hs_status: published, hs_esign_enabled: 'false', hs_manually_signed: 'true' };
    const signers = String(1 + (key % 2));
    return {
      hs_status: published,
      hs_esign_enabled: 'true',
      hs_esign_num_signers_required: signers,
      hs_esign_num_signers_completed: signers,
      hs_sign_status: 'ESIGN_COMPLETED',
      hs_esign_date: modifiedAt,
    };
  }
  return {
    hs_status: published,
    hs_esign_enabled: 'true',
    hs_esign_num_signers_required: '1',
    hs_esign_num_signers_completed: '0',
    hs_sign_status: status === 'denied' ? 'ESIGN_VOIDED' : 'ESIGN_PENDING',
  };
}

function correlationUuid(userKey: number, periodType: string): string {
  const hex = userKey.toString(16).padStart(12, '0');
  return `00000000-0000-4000-${periodType === 'quarter' ? '8000' : '9000'}-${hex}`;
}
