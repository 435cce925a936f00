import type {
  CallOutcome,
  ForecastCategory,
  LeadSource,
  LeadStatus,
  MeetingOutcome,
  QuoteStatus,
  WorldOpportunity,
} from '../../../world/types.ts';

/**
 * Picklist values of the emulated org and how the provider-neutral world maps onto them. The
 * renderer and the describe metadata both read these, so a value the world produces is always
 * one describe lists.
 */

export const LEAD_STATUS: Record<LeadStatus, string> = {
  open: 'Open - Not Contacted',
  working: 'Working - Contacted',
  converted: 'Closed - Converted',
  not_converted: 'Closed - Not Converted',
};
/** The LeadStatus metadata: which values mean "converted" (spec §9). */
export const LEAD_STATUSES = [
  { value: LEAD_STATUS.open, isConverted: false, isDefault: true },
  { value: LEAD_STATUS.working, isConverted: false, isDefault: false },
  { value: LEAD_STATUS.converted, isConverted: true, isDefault: false },
  { value: LEAD_STATUS.not_converted, isConverted: false, isDefault: false },
] as const;

export const LEAD_SOURCE: Record<LeadSource, string> = {
  web: 'Web',
  phone_inquiry: 'Phone Inquiry',
  partner_referral: 'Partner Referral',
  employee_referral: 'Employee Referral',
  purchased_list: 'Purchased List',
  trade_show: 'Trade Show',
  other: 'Other',
};

export const CALL_DISPOSITION: Record<CallOutcome, string> = {
  connected: 'Connected',
  left_live_message: 'Left Live Message',
  left_voicemail: 'Left Voicemail',
  no_answer: 'No Answer',
  busy: 'Busy',
  wrong_number: 'Wrong Number',
};

export const MEETING_OUTCOME: Record<MeetingOutcome, string> = {
  scheduled: 'Scheduled',
  completed: 'Completed',
  rescheduled: 'Rescheduled',
  no_show: 'No Show',
  canceled: 'Canceled',
};

export const QUOTE_STATUS: Record<QuoteStatus, string> = {
  draft: 'Draft',
  in_review: 'In Review',
  rejected: 'Rejected',
  presented: 'Presented',
  accepted: 'Accepted',
  denied: 'Denied',
};
export const QUOTE_STATUSES = [
  'Draft',
  'Needs Review',
  'In Review',
  'Approved',
  'Rejected',
  'Presented',
  'Accepted',
  'Denied',
] as const;

export const OPPORTUNITY_TYPE: Record<WorldOpportunity['type'], string> = {
  new_business: 'New Customer',
  existing_business: 'Existing Customer - Upgrade',
};
export const OPPORTUNITY_TYPES = [
  'New Customer',
  'Existing Customer - Upgrade',
  'Existing Customer - Replacement',
  'Existing Customer - Downgrade',
] as const;

/** ForecastCategory (API value) and ForecastCategoryName (label) per neutral category. */
export const FORECAST_CATEGORY: Record<ForecastCategory, { api: string; name: string }> = {
  omitted: { api: 'Omitted', name: 'Omitted' },
  pipeline: { api: 'Pipeline', name: 'Pipeline' },
  best_case: { api: 'BestCase', name: 'Best Case' },
  commit: { api: 'Forecast', name: 'Commit' },
  closed: { api: 'Closed', name: 'Closed' },
};

export const TASK_SUBTYPES = ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'] as const;
export const TASK_STATUSES = [
  'Not Started',
  'In Progress',
  'Completed',
  'Waiting on someone else',
  'Deferred',
] as const;
/** Task statuses whose IsClosed is true. */
export const CLOSED_TASK_STATUSES: ReadonlySet<string> = new Set(['Completed']);
export const ACTIVITY_TYPES = ['Call', 'Email', 'Meeting', 'Other'] as const;
export const CALL_TYPES = ['Internal', 'Inbound', 'Outbound'] as const;

export const PACE_STATUSES = ['Ahead', 'On Track', 'Behind', 'At Risk'] as const;
export const USER_TYPES = [
  'Standard',
  'AutomatedProcess',
  'CsnOnly',
  'PowerPartner',
  'CspLitePortal',
] as const;
export const GROUP_TYPES = ['Queue', 'Regular', 'Role', 'RoleAndSubordinates', 'Organization'] as const;
export const PERIOD_TYPES = ['Year', 'Quarter', 'Month', 'Week'] as const;
