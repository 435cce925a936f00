import { DateTime } from 'luxon';
import { fiscalPeriods, type FiscalPeriod } from '../../world/fiscal-periods.ts';
import {
  STAGES,
  type RepBook,
  type World,
  type WorldHeader,
  type WorldLineItem,
  type WorldQuoteLineItem,
  type WorldUser,
} from '../../world/types.ts';
import { IdAllocator, salesforceId } from './ids.ts';
import {
  CALL_DISPOSITION,
  FORECAST_CATEGORY,
  LEAD_SOURCE,
  LEAD_STATUS,
  LEAD_STATUSES,
  MEETING_OUTCOME,
  OPPORTUNITY_TYPE,
  QUOTE_STATUS,
} from './schema/picklists.ts';
import type { OrgFeatures } from './schema/sobject-defs.ts';
import { round } from './store/derived-fields.ts';
import type { FieldValue } from './store/sobject-record.ts';
import { localDate, storedDateTime as stamp } from './wire-format.ts';

/**
 * Renders the provider-neutral world as the sObjects of a Salesforce org (spec §9): 18-character
 * ids derived from world keys, picklist API values, org-local activity dates, invitee copies of
 * group events, line-item and quote roll-ups, fiscal Periods and forecasting quotas. The renderer
 * decides nothing a KPI depends on; it only spells the world the way Salesforce would.
 *
 * Rendering works per rep book (the generator streams one rep at a time); ids come from world
 * keys, so references across books need no lookup tables.
 */

export type RecordSink = (object: string, record: Record<string, FieldValue>) => void;

export interface RenderedOrg {
  orgId: string;
  name: string;
  timezone: string;
  fiscalYearStartMonth: number;
  /** Who the emulator's credentials log in as. */
  integrationUserId: string;
  adminUserId: string;
}

export const KEY_PREFIX = {
  Organization: '00D',
  User: '005',
  Group: '00G',
  Lead: '00Q',
  Task: '00T',
  Event: '00U',
  Opportunity: '006',
  OpportunityLineItem: '00k',
  Quote: '0Q0',
  QuoteLineItem: '0QL',
  ForecastingQuota: '0J9',
  ForecastingType: '0Db',
  Period: '026',
  CurrencyType: '02c',
  DatedConversionRate: '04w',
  PicklistMaster: '01J',
} as const;

// Every record names its owner and creator: one shared string per user keeps a million records small.
const userIds = new Map<number, string>();
const userId = (key: number) => {
  let id = userIds.get(key);
  if (id === undefined) userIds.set(key, (id = salesforceId(KEY_PREFIX.User, key)));
  return id;
};
const leadId = (key: number) => salesforceId(KEY_PREFIX.Lead, key);
const opportunityId = (key: number) => salesforceId(KEY_PREFIX.Opportunity, key);
const quoteId = (key: number) => salesforceId(KEY_PREFIX.Quote, key);

export class WorldRenderer {
  readonly org: RenderedOrg;
  private readonly header: WorldHeader;
  private readonly features: OrgFeatures;
  private readonly sink: RecordSink;
  private readonly ids = new IdAllocator();
  private readonly usersByKey: Map<number, WorldUser>;
  private readonly orgCreated: string;
  private readonly periodIds = new Map<string, string>();
  private readonly forecastingTypeId: string;
  private readonly homeCurrency: string;
  private readonly nowMs: number;

  constructor(header: WorldHeader, features: OrgFeatures, sink: RecordSink) {
    this.header = header;
    this.features = features;
    this.sink = sink;
    this.usersByKey = new Map(header.users.map((user) => [user.key, user]));
    this.homeCurrency = header.org.homeCurrency;
    this.nowMs = Date.parse(header.options.now);
    const admin = header.users.find((u) => u.role === 'admin') ?? header.users[0];
    if (!admin) throw new RangeError('a world without users cannot be rendered');
    const integration = header.users.find((u) => u.role === 'integration') ?? admin;
    this.orgCreated = stamp(
      header.users.reduce((min, u) => (u.createdAt < min ? u.createdAt : min), admin.createdAt),
    );
    this.org = {
      orgId: salesforceId(KEY_PREFIX.Organization, 1),
      name: header.org.name,
      timezone: header.org.timezone,
      fiscalYearStartMonth: header.org.fiscalYearStartMonth,
      integrationUserId: userId(integration.key),
      adminUserId: userId(admin.key),
    };
    this.forecastingTypeId = salesforceId(KEY_PREFIX.ForecastingType, 1);
  }

  renderBook(book: RepBook | World): void {
    for (const lead of book.leads) this.renderLead(lead);
    for (const call of book.calls) this.renderCall(call);
    for (const email of book.emails) if (email.direction === 'outbound') this.renderEmail(email);
    for (const meeting of book.meetings) this.renderMeeting(meeting);
    const linesByOpportunity = groupBy(book.opportunityLineItems, (line) => line.opportunityKey);
    for (const opportunity of book.opportunities) {
      this.renderOpportunity(opportunity, linesByOpportunity.get(opportunity.key) ?? []);
    }
    const opportunitiesByKey = new Map(book.opportunities.map((o) => [o.key, o]));
    for (const line of book.opportunityLineItems)
      this.renderLineItem(line, opportunitiesByKey.get(line.opportunityKey));
    if (this.features.quotes) {
      const linesByQuote = groupBy(book.quoteLineItems, (line) => line.quoteKey);
      const quotesByKey = new Map(book.quotes.map((q) => [q.key, q]));
      for (const quote of book.quotes) this.renderQuote(quote, linesByQuote.get(quote.key) ?? []);
      for (const line of book.quoteLineItems)
        this.renderQuoteLineItem(line, quotesByKey.get(line.quoteKey)?.currency);
    }
    if (this.features.forecasting) for (const quota of book.quotas) this.renderQuota(quota);
  }

  /** The org, its users, queues and metadata records; call once, before any book. */
  renderHeader(): void {
    const { org, users, queues } = this.header;
    this.emitMeta('Organization', {
      Id: this.org.orgId,
      Name: org.name,
      TimeZoneSidKey: org.timezone,
      FiscalYearStartMonth: org.fiscalYearStartMonth,
      UsesStartDateAsFiscalYearName: false,
      DefaultLocaleSidKey: 'en_US',
      LanguageLocaleKey: 'en_US',
      OrganizationType: 'Enterprise Edition',
      IsSandbox: false,
    });
    for (const user of users) {
      this.sink('User', {
        Id: userId(user.key),
        IsDeleted: false,
        ...this.audit(user.createdAt, user.modifiedAt, this.org.adminUserId),
        Username: user.email,
        LastName: user.lastName,
        FirstName: user.firstName,
        Name: `${user.firstName} ${user.lastName}`,
        Email: user.email,
        Title: user.title,
        Department: user.team,
        ManagerId: user.managerKey === null ? null : userId(user.managerKey),
        IsActive: user.isActive,
        UserType: 'Standard',
        TimeZoneSidKey: org.timezone,
      });
    }
    for (const queue of queues) {
      this.emitMeta('Group', {
        Id: salesforceId(KEY_PREFIX.Group, queue.key),
        Name: queue.name,
        DeveloperName: queue.name.replace(/[^A-Za-z0-9]+/g, '_'),
        Type: 'Queue',
        Email: null,
      });
    }
    STAGES.forEach((stage, index) => {
      const category = FORECAST_CATEGORY[stage.defaultForecastCategory];
      this.emitMeta('OpportunityStage', {
        Id: this.ids.allocate(KEY_PREFIX.PicklistMaster),
        MasterLabel: stage.salesforceName,
        ApiName: stage.salesforceName,
        IsActive: true,
        SortOrder: index + 1,
        IsClosed: stage.isClosed,
        IsWon: stage.isWon,
        ForecastCategory: category.api,
        ForecastCategoryName: category.name,
        DefaultProbability: round(stage.probability * 100, 0),
      });
    });
    LEAD_STATUSES.forEach((status, index) => {
      this.emitMeta('LeadStatus', {
        Id: this.ids.allocate(KEY_PREFIX.PicklistMaster),
        MasterLabel: status.value,
        ApiName: status.value,
        SortOrder: index + 1,
        IsDefault: status.isDefault,
        IsConverted: status.isConverted,
      });
    });
    if (this.features.forecasting) {
      this.emitMeta('ForecastingType', {
        Id: this.forecastingTypeId,
        DeveloperName: 'OpportunityRevenue',
        MasterLabel: 'Opportunity Revenue',
        IsAmount: true,
        IsQuantity: false,
        IsActive: true,
      });
      const today = DateTime.fromMillis(this.nowMs, { zone: org.timezone });
      const from = today.minus({ years: 3 }).toFormat('yyyy-MM-dd');
      const to = today.plus({ years: 1 }).toFormat('yyyy-MM-dd');
      for (const period of fiscalPeriods(org, from, to)) this.periodId(period);
    }
    if (this.features.multiCurrency) {
      for (const currency of org.currencies) {
        this.emitMeta('CurrencyType', {
          Id: this.ids.allocate(KEY_PREFIX.CurrencyType),
          IsoCode: currency.code,
          ConversionRate: currency.rate,
          DecimalPlaces: 2,
          IsActive: true,
          IsCorporate: currency.isCorporate,
        });
      }
      for (const rate of org.datedRates) {
        this.emitMeta('DatedConversionRate', {
          Id: this.ids.allocate(KEY_PREFIX.DatedConversionRate),
          IsoCode: rate.code,
          StartDate: rate.startDate,
          // Salesforce closes the open-ended current rate with 9999-12-31.
          NextStartDate: rate.nextStartDate ?? '9999-12-31',
          ConversionRate: rate.rate,
        });
      }
    }
  }

  private renderLead(lead: RepBook['leads'][number]): void {
    const owner = lead.ownerUserKey === null ? null : userId(lead.ownerUserKey);
    this.sink('Lead', {
      Id: leadId(lead.key),
      ...this.versioned(lead, owner ?? this.org.adminUserId),
      FirstName: lead.firstName,
      LastName: lead.lastName,
      Name: `${lead.firstName} ${lead.lastName}`,
      Company: lead.company,
      Email: lead.email,
      OwnerId: owner ?? salesforceId(KEY_PREFIX.Group, lead.ownerQueueKey!),
      Status: LEAD_STATUS[lead.status],
      LeadSource: lead.source === null ? null : LEAD_SOURCE[lead.source],
      IsConverted: lead.status === 'converted',
      ConvertedDate: lead.convertedOn,
      ConvertedOpportunityId:
        lead.convertedOpportunityKey === null ? null : opportunityId(lead.convertedOpportunityKey),
    });
  }

  private renderCall(call: RepBook['calls'][number]): void {
    const completed = call.status === 'completed';
    this.sink('Task', {
      Id: this.ids.allocate(KEY_PREFIX.Task),
      ...this.versioned(call, userId(call.ownerUserKey)),
      Subject: call.subject,
      TaskSubtype: 'Call',
      Type: 'Call',
      Status: completed ? 'Completed' : 'Not Started',
      Priority: 'Normal',
      IsClosed: completed,
      ActivityDate: localDate(Date.parse(call.at), this.org.timezone),
      // Some logged calls carry no completion time; consumers must fall back to ActivityDate.
      CompletedDateTime: completed && !lacksCompletionTime(call.key) ? stamp(call.at) : null,
      CallDisposition: call.outcome === null ? null : CALL_DISPOSITION[call.outcome],
      CallType: call.direction === 'outbound' ? 'Outbound' : 'Inbound',
      CallDurationInSeconds: call.durationSeconds,
      OwnerId: userId(call.ownerUserKey),
      WhoId: call.leadKey === null ? null : leadId(call.leadKey),
      WhatId: call.opportunityKey === null ? null : opportunityId(call.opportunityKey),
    });
  }

  private renderEmail(email: RepBook['emails'][number]): void {
    this.sink('Task', {
      Id: this.ids.allocate(KEY_PREFIX.Task),
      ...this.versioned(email, userId(email.ownerUserKey)),
      Subject: email.subject,
      TaskSubtype: 'Email',
      Type: 'Email',
      Status: 'Completed',
      Priority: 'Normal',
      IsClosed: true,
      ActivityDate: localDate(Date.parse(email.sentAt), this.org.timezone),
      CompletedDateTime: stamp(email.sentAt),
      OwnerId: userId(email.ownerUserKey),
      WhoId: email.leadKey === null ? null : leadId(email.leadKey),
      WhatId: email.opportunityKey === null ? null : opportunityId(email.opportunityKey),
    });
  }

  private renderMeeting(meeting: RepBook['meetings'][number]): void {
    const startMs = Date.parse(meeting.startAt);
    const endMs = Date.parse(meeting.endAt);
    const shared = {
      ...this.versioned(meeting, userId(meeting.ownerUserKey)),
      Subject: meeting.subject,
      StartDateTime: stamp(meeting.startAt),
      EndDateTime: stamp(meeting.endAt),
      ActivityDateTime: stamp(meeting.startAt),
      ActivityDate: localDate(startMs, this.org.timezone),
      DurationInMinutes: Math.round((endMs - startMs) / 60_000),
      IsAllDayEvent: false,
      EventSubtype: 'Event',
      Type: 'Meeting',
      WhoId: null,
      WhatId: meeting.opportunityKey === null ? null : opportunityId(meeting.opportunityKey),
      IsGroupEvent: meeting.inviteeUserKeys.length > 0,
      Meeting_Outcome__c: MEETING_OUTCOME[meeting.outcome],
    };
    this.sink('Event', {
      Id: this.ids.allocate(KEY_PREFIX.Event),
      ...shared,
      OwnerId: userId(meeting.ownerUserKey),
      IsChild: false,
    });
    for (const invitee of meeting.inviteeUserKeys) {
      this.sink('Event', {
        Id: this.ids.allocate(KEY_PREFIX.Event),
        ...shared,
        OwnerId: userId(invitee),
        IsChild: true,
      });
    }
  }

  private renderOpportunity(opportunity: RepBook['opportunities'][number], lines: WorldLineItem[]): void {
    const stage = STAGES.find((s) => s.key === opportunity.stage)!;
    const category = FORECAST_CATEGORY[opportunity.forecastCategory];
    const probability = round(opportunity.probability * 100, 0);
    this.sink('Opportunity', {
      Id: opportunityId(opportunity.key),
      ...this.versioned(opportunity, userId(opportunity.ownerUserKey)),
      Name: opportunity.name,
      StageName: stage.salesforceName,
      IsClosed: stage.isClosed,
      IsWon: stage.isWon,
      Amount: opportunity.amount,
      CloseDate: opportunity.closeDate,
      Probability: probability,
      ForecastCategory: category.api,
      ForecastCategoryName: category.name,
      ExpectedRevenue:
        opportunity.amount === null ? null : round((opportunity.amount * probability) / 100, 2),
      Type: OPPORTUNITY_TYPE[opportunity.type],
      LeadSource: opportunity.leadSource === null ? null : LEAD_SOURCE[opportunity.leadSource],
      OwnerId: userId(opportunity.ownerUserKey),
      HasOpportunityLineItem: lines.some((line) => line.deletedAt === null),
      ...this.currency(opportunity.currency),
    });
  }

  private renderLineItem(
    line: WorldLineItem,
    opportunity: RepBook['opportunities'][number] | undefined,
  ): void {
    const owner = opportunity ? userId(opportunity.ownerUserKey) : this.org.adminUserId;
    this.sink('OpportunityLineItem', {
      Id: salesforceId(KEY_PREFIX.OpportunityLineItem, line.key),
      ...this.versioned(line, owner),
      OpportunityId: opportunityId(line.opportunityKey),
      Name: opportunity ? `${opportunity.name} ${line.productName}` : line.productName,
      ProductCode: line.productCode,
      Quantity: line.quantity,
      UnitPrice: line.unitPrice,
      ListPrice: line.listPrice,
      Discount: line.discountPercent,
      Subtotal: round(line.unitPrice * line.quantity, 2),
      TotalPrice: line.totalPrice,
      ...this.currency(opportunity?.currency ?? this.homeCurrency),
    });
  }

  private renderQuote(quote: RepBook['quotes'][number], lines: WorldQuoteLineItem[]): void {
    const live = lines.filter((line) => line.deletedAt === null);
    const subtotal = round(
      live.reduce((sum, line) => sum + line.unitPrice * line.quantity, 0),
      2,
    );
    const total = round(
      live.reduce((sum, line) => sum + line.totalPrice, 0),
      2,
    );
    this.sink('Quote', {
      Id: quoteId(quote.key),
      ...this.versioned(quote, this.org.adminUserId),
      Name: quote.name,
      OpportunityId: opportunityId(quote.opportunityKey),
      Status: QUOTE_STATUS[quote.status],
      IsSyncing: quote.isSyncing,
      ExpirationDate: quote.expirationDate,
      Subtotal: subtotal,
      TotalPrice: total,
      Discount: subtotal > 0 ? round(((subtotal - total) / subtotal) * 100, 2) : null,
      GrandTotal: total,
      LineItemCount: live.length,
      ...this.currency(quote.currency),
    });
  }

  private renderQuoteLineItem(line: WorldQuoteLineItem, currency: string | undefined): void {
    this.sink('QuoteLineItem', {
      Id: salesforceId(KEY_PREFIX.QuoteLineItem, line.key),
      ...this.versioned(line, this.org.adminUserId),
      QuoteId: quoteId(line.quoteKey),
      Quantity: line.quantity,
      UnitPrice: line.unitPrice,
      ListPrice: line.listPrice,
      Discount: line.discountPercent,
      Subtotal: round(line.unitPrice * line.quantity, 2),
      TotalPrice: line.totalPrice,
      ...this.currency(currency ?? this.homeCurrency),
    });
  }

  private renderQuota(quota: RepBook['quotas'][number]): void {
    const known = this.periodIds.get(`${quota.periodType}:${quota.periodStart}`);
    const period = known
      ? undefined
      : fiscalPeriods(this.header.org, quota.periodStart, quota.periodStart).find(
          (p) => p.type === quota.periodType,
        );
    this.sink('ForecastingQuota', {
      Id: salesforceId(KEY_PREFIX.ForecastingQuota, quota.key),
      ...this.versioned(quota, this.org.adminUserId),
      QuotaOwnerId: userId(quota.userKey),
      StartDate: quota.periodStart,
      PeriodId: known ?? (period ? this.periodId(period) : null),
      QuotaAmount: quota.amount,
      QuotaQuantity: null,
      IsAmount: true,
      IsQuantity: false,
      ForecastingTypeId: this.forecastingTypeId,
      ...this.currency(this.homeCurrency),
    });
  }

  /** The Period record for a fiscal period, rendered the first time it is needed. */
  private periodId(period: FiscalPeriod): string {
    const key = `${period.type}:${period.startDate}`;
    const known = this.periodIds.get(key);
    if (known) return known;
    const id = this.ids.allocate(KEY_PREFIX.Period);
    this.periodIds.set(key, id);
    this.emitMeta('Period', {
      Id: id,
      Type: period.type === 'year' ? 'Year' : period.type === 'quarter' ? 'Quarter' : 'Month',
      StartDate: period.startDate,
      EndDate: period.endDate,
      Number: period.number,
      FullyQualifiedLabel: period.label,
      PeriodLabel: period.label.split(' ').slice(1).join(' ') || period.label,
      QuarterLabel: period.quarter === null ? null : `Q${period.quarter}`,
      IsForecastPeriod: period.type !== 'year',
    });
    return id;
  }

  private currency(code: string): Record<string, FieldValue> {
    return this.features.multiCurrency ? { CurrencyIsoCode: code } : {};
  }

  private versioned(
    entity: { createdAt: string; modifiedAt: string; deletedAt: string | null },
    byUserId: string,
  ): Record<string, FieldValue> {
    return {
      IsDeleted: entity.deletedAt !== null,
      ...this.audit(entity.createdAt, entity.modifiedAt, byUserId),
    };
  }

  private audit(createdAt: string, modifiedAt: string, byUserId: string): Record<string, FieldValue> {
    const modified = stamp(modifiedAt);
    return {
      CreatedDate: stamp(createdAt),
      CreatedById: byUserId,
      LastModifiedDate: modified,
      LastModifiedById: byUserId,
      SystemModstamp: modified,
    };
  }

  /** Org metadata records (no world history): created with the org, never modified. */
  private emitMeta(object: string, fields: Record<string, FieldValue>): void {
    this.sink(object, {
      IsDeleted: false,
      CreatedDate: this.orgCreated,
      CreatedById: this.org.adminUserId,
      LastModifiedDate: this.orgCreated,
      LastModifiedById: this.org.adminUserId,
      SystemModstamp: this.orgCreated,
      ...fields,
    });
  }
}

/** A deterministic ~5% of completed calls (by key) are logged without CompletedDateTime. */
function lacksCompletionTime(key: number): boolean {
  return Math.imul(key, 2654435761) >>> 0 < 0x0ccccccc;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
