/**
 * The provider-neutral synthetic sales org. The generator produces it from (seed, scale, now);
 * each CRM emulator renders it in its own wire shape (Salesforce sObjects, HubSpot objects), so
 * the same world synced through either CRM must yield the same KPIs. Anything a KPI depends on is
 * therefore expressed here once, in neutral terms, and never decided by a renderer.
 *
 * Conventions:
 * - `key`s are positive integers, unique per entity kind, assigned in generation order.
 * - Instants are ISO strings in UTC with whole seconds: '2026-03-04T15:20:00.000Z'.
 * - Dates are 'YYYY-MM-DD' in the org time zone (already local; renderers never shift them).
 * - Money is in the record's `currency`, rounded to cents.
 * - Every instant is <= `WorldOptions.now` minus one hour, so a sync with a lag of up to an hour
 *   sees the whole world in its first pass.
 */

export interface WorldOptions {
  seed: number;
  /** Number of sales reps. Managers and directors are added above them. */
  scale: number;
  /** The world's "now" (ISO instant). Same seed + scale + now (+ options) ⇒ byte-identical world. */
  now: string;
  /** Org time zone (IANA). Default 'America/New_York'. */
  timezone?: string;
  /** First month of the fiscal year, 1–12. Default 1. */
  fiscalYearStartMonth?: number;
  /** Opportunities in EUR and GBP besides USD, with dated conversion rates. Default true. */
  multiCurrency?: boolean;
}

export type ResolvedWorldOptions = Required<WorldOptions>;

export interface World {
  options: ResolvedWorldOptions;
  org: WorldOrg;
  users: WorldUser[];
  queues: WorldQueue[];
  leads: WorldLead[];
  calls: WorldCall[];
  emails: WorldEmail[];
  meetings: WorldMeeting[];
  opportunities: WorldOpportunity[];
  opportunityLineItems: WorldLineItem[];
  quotes: WorldQuote[];
  quoteLineItems: WorldQuoteLineItem[];
  quotas: WorldQuota[];
}

/** The part of the world that is generated before any rep's book of business. */
export interface WorldHeader {
  options: ResolvedWorldOptions;
  org: WorldOrg;
  users: WorldUser[];
  queues: WorldQueue[];
}

/** One rep's records; the generator streams these one rep at a time (bounded memory). */
export interface RepBook {
  repKey: number;
  leads: WorldLead[];
  calls: WorldCall[];
  emails: WorldEmail[];
  meetings: WorldMeeting[];
  opportunities: WorldOpportunity[];
  opportunityLineItems: WorldLineItem[];
  quotes: WorldQuote[];
  quoteLineItems: WorldQuoteLineItem[];
  quotas: WorldQuota[];
}

export interface WorldOrg {
  name: string;
  /** Corporate currency. Always 'USD'. */
  homeCurrency: string;
  timezone: string;
  fiscalYearStartMonth: number;
  multiCurrency: boolean;
  /** Static rates (Salesforce CurrencyType): units of `code` per 1 home-currency unit. */
  currencies: WorldCurrency[];
  /**
   * Dated rates (Salesforce DatedConversionRate, advanced currency management): the rate for
   * `code` on [startDate, nextStartDate). Covers every close date in the world. Empty when
   * `multiCurrency` is false.
   */
  datedRates: WorldDatedRate[];
}

export interface WorldCurrency {
  code: string;
  isCorporate: boolean;
  rate: number;
}

export interface WorldDatedRate {
  code: string;
  startDate: string;
  /** Exclusive; null for the rate in force today. */
  nextStartDate: string | null;
  rate: number;
}

export type UserRole = 'director' | 'manager' | 'rep' | 'admin' | 'integration';

export interface WorldUser {
  key: number;
  role: UserRole;
  firstName: string;
  lastName: string;
  /** Unique across the world; the join key when comparing two CRMs' renderings. */
  email: string;
  title: string;
  /** Reps → their manager, managers → their director, directors/admin/integration → null. */
  managerKey: number | null;
  /** Departed reps are inactive: they keep owning their historical records. */
  isActive: boolean;
  /** Sales team name (HubSpot renders teams from it). */
  team: string | null;
  createdAt: string;
  modifiedAt: string;
}

export interface WorldQueue {
  key: number;
  name: string;
}

interface Versioned {
  key: number;
  createdAt: string;
  /** >= createdAt; the last change (the CRM's modification stamp). */
  modifiedAt: string;
  /** Soft-deleted (recycle bin / archived) at this instant, else null. modifiedAt >= deletedAt. */
  deletedAt: string | null;
}

export type LeadSource =
  | 'web'
  | 'phone_inquiry'
  | 'partner_referral'
  | 'employee_referral'
  | 'purchased_list'
  | 'trade_show'
  | 'other';

export type LeadStatus = 'open' | 'working' | 'converted' | 'not_converted';

export interface WorldLead extends Versioned {
  /** Exactly one of ownerUserKey / ownerQueueKey is set. */
  ownerUserKey: number | null;
  ownerQueueKey: number | null;
  firstName: string;
  lastName: string;
  company: string;
  email: string;
  source: LeadSource | null;
  status: LeadStatus;
  /** Org-local date of conversion (status 'converted'), else null. */
  convertedOn: string | null;
  /** The opportunity the conversion created, or null (conversion without an opportunity). */
  convertedOpportunityKey: number | null;
}

export type CallOutcome =
  'connected' | 'left_live_message' | 'left_voicemail' | 'no_answer' | 'busy' | 'wrong_number';

export interface WorldCall extends Versioned {
  ownerUserKey: number;
  /** 'planned' calls are open tasks due at `at`; 'completed' calls happened at `at`. */
  status: 'completed' | 'planned';
  at: string;
  /** Null for planned calls. */
  outcome: CallOutcome | null;
  direction: 'outbound' | 'inbound';
  durationSeconds: number | null;
  subject: string;
  leadKey: number | null;
  opportunityKey: number | null;
}

export interface WorldEmail extends Versioned {
  ownerUserKey: number;
  /** Inbound replies exist only where the CRM logs them (HubSpot); Salesforce renders outbound only. */
  direction: 'outbound' | 'inbound';
  sentAt: string;
  subject: string;
  leadKey: number | null;
  opportunityKey: number | null;
}

export type MeetingOutcome = 'scheduled' | 'completed' | 'rescheduled' | 'no_show' | 'canceled';

export interface WorldMeeting extends Versioned {
  ownerUserKey: number;
  startAt: string;
  endAt: string;
  /** Meetings starting after `now` are always 'scheduled'. */
  outcome: MeetingOutcome;
  subject: string;
  /** Other users invited; Salesforce renders one child (IsChild) event per invitee. */
  inviteeUserKeys: number[];
  opportunityKey: number | null;
}

export type StageKey =
  | 'prospecting'
  | 'qualification'
  | 'needs_analysis'
  | 'proposal'
  | 'negotiation'
  | 'closed_won'
  | 'closed_lost';

export type ForecastCategory = 'omitted' | 'pipeline' | 'best_case' | 'commit' | 'closed';

export interface WorldStage {
  key: StageKey;
  /** Salesforce StageName (OpportunityStage.MasterLabel). */
  salesforceName: string;
  /** HubSpot default-pipeline stage id. */
  hubspotId: string;
  label: string;
  /** 0–1. Salesforce renders ×100; HubSpot stage metadata renders as a string. */
  probability: number;
  isClosed: boolean;
  isWon: boolean;
  defaultForecastCategory: ForecastCategory;
}

/** The one sales pipeline, in order. Both emulators render their stage metadata from this. */
export const STAGES: readonly WorldStage[] = [
  {
    key: 'prospecting',
    salesforceName: 'Prospecting',
    hubspotId: 'appointmentscheduled',
    label: 'Prospecting',
    probability: 0.1,
    isClosed: false,
    isWon: false,
    defaultForecastCategory: 'pipeline',
  },
  {
    key: 'qualification',
    salesforceName: 'Qualification',
    hubspotId: 'qualifiedtobuy',
    label: 'Qualification',
    probability: 0.2,
    isClosed: false,
    isWon: false,
    defaultForecastCategory: 'pipeline',
  },
  {
    key: 'needs_analysis',
    salesforceName: 'Needs Analysis',
    hubspotId: 'presentationscheduled',
    label: 'Needs Analysis',
    probability: 0.4,
    isClosed: false,
    isWon: false,
    defaultForecastCategory: 'best_case',
  },
  {
    key: 'proposal',
    salesforceName: 'Proposal/Price Quote',
    hubspotId: 'decisionmakerboughtin',
    label: 'Proposal/Price Quote',
    probability: 0.6,
    isClosed: false,
    isWon: false,
    defaultForecastCategory: 'best_case',
  },
  {
    key: 'negotiation',
    salesforceName: 'Negotiation/Review',
    hubspotId: 'contractsent',
    label: 'Negotiation/Review',
    probability: 0.8,
    isClosed: false,
    isWon: false,
    defaultForecastCategory: 'commit',
  },
  {
    key: 'closed_won',
    salesforceName: 'Closed Won',
    hubspotId: 'closedwon',
    label: 'Closed Won',
    probability: 1,
    isClosed: true,
    isWon: true,
    defaultForecastCategory: 'closed',
  },
  {
    key: 'closed_lost',
    salesforceName: 'Closed Lost',
    hubspotId: 'closedlost',
    label: 'Closed Lost',
    probability: 0,
    isClosed: true,
    isWon: false,
    defaultForecastCategory: 'omitted',
  },
];

export interface WorldOpportunity extends Versioned {
  ownerUserKey: number;
  name: string;
  accountName: string;
  stage: StageKey;
  /** Org-local date. Expected close for open deals, actual for closed ones. May precede createdAt's date. */
  closeDate: string;
  /** Null amounts happen (no line items, nobody typed one). With line items: Σ their totalPrice. */
  amount: number | null;
  currency: string;
  /** 0–1; the stage's probability. */
  probability: number;
  /** Usually the stage default; some open deals are 'omitted' from the forecast. */
  forecastCategory: ForecastCategory;
  type: 'new_business' | 'existing_business';
  leadSource: LeadSource | null;
  /** Set when the opportunity came from a lead conversion. */
  convertedFromLeadKey: number | null;
}

export interface WorldLineItem extends Versioned {
  opportunityKey: number;
  productName: string;
  productCode: string;
  quantity: number;
  /** Catalogue (price book) unit price. */
  listPrice: number;
  /** Sales unit price agreed with the buyer (<= listPrice). */
  unitPrice: number;
  /** Additional line discount in percent (0–100), or null. */
  discountPercent: number | null;
  /** Net: round2(unitPrice × quantity × (1 − discountPercent/100)). */
  totalPrice: number;
}

export type QuoteStatus = 'draft' | 'in_review' | 'rejected' | 'presented' | 'accepted' | 'denied';

/**
 * A proposal. KPI-relevant invariants the generator keeps (so both CRMs' rules agree):
 * a won opportunity's submitted quotes are all 'accepted' (exactly one), and a quote on an
 * open or lost opportunity is never 'accepted'.
 */
export interface WorldQuote extends Versioned {
  opportunityKey: number;
  name: string;
  status: QuoteStatus;
  /** The quote synced to its opportunity (at most one per opportunity). */
  isSyncing: boolean;
  expirationDate: string;
  currency: string;
}

export interface WorldQuoteLineItem extends Versioned {
  quoteKey: number;
  productName: string;
  productCode: string;
  quantity: number;
  listPrice: number;
  unitPrice: number;
  discountPercent: number | null;
  totalPrice: number;
}

export interface WorldQuota extends Versioned {
  userKey: number;
  /** A rep has either monthly or quarterly quotas, never both for the same span. */
  periodType: 'month' | 'quarter';
  /** Fiscal period bounds, org-local dates, end inclusive. */
  periodStart: string;
  periodEnd: string;
  /** In the home currency. */
  amount: number;
}
