import { CALL_OUTCOME_GUIDS, CALL_OUTCOME_LABELS, LEAD_STAGES } from '../../builtins.ts';
import { options, type PropertyDef, type PropertyOption, type PropertyType } from './property-def.ts';

/**
 * The HubSpot-defined properties of each standard object the emulator renders (spec §4), plus the
 * portal's custom `lead_source` property on leads (HubSpot's lead object has no source property;
 * see README.md). Calculated ones are computed by the store and cannot be written.
 */

interface Spec {
  type: PropertyType;
  fieldType?: string;
  label?: string;
  options?: PropertyOption[];
  calculated?: boolean;
  readOnly?: boolean;
  unique?: boolean;
  external?: boolean;
  custom?: boolean;
  group?: string;
}

const text: Spec = { type: 'string', fieldType: 'text' };
const num: Spec = { type: 'number', fieldType: 'number' };
const datetime: Spec = { type: 'datetime', fieldType: 'date' };
const date: Spec = { type: 'date', fieldType: 'date' };
const bool: Spec = {
  type: 'bool',
  fieldType: 'booleancheckbox',
  options: options([
    ['true', 'Yes'],
    ['false', 'No'],
  ]),
};
const calc = (spec: Spec): Spec => ({
  ...spec,
  calculated: true,
  readOnly: true,
  fieldType: 'calculation_equation',
});
const readOnly = (spec: Spec): Spec => ({ ...spec, readOnly: true });
const select = (pairs: ReadonlyArray<readonly [string, string]>): Spec => ({
  type: 'enumeration',
  fieldType: 'select',
  options: options(pairs),
});
const owner: Spec = { type: 'enumeration', fieldType: 'select', external: true, label: 'Owner' };

/** Lead sources of the portal's custom lead_source property; labels as Salesforce spells them. */
export const LEAD_SOURCE_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ['WEB', 'Web'],
  ['PHONE_INQUIRY', 'Phone Inquiry'],
  ['PARTNER_REFERRAL', 'Partner Referral'],
  ['EMPLOYEE_REFERRAL', 'Employee Referral'],
  ['PURCHASED_LIST', 'Purchased List'],
  ['TRADE_SHOW', 'Trade Show'],
  ['OTHER', 'Other'],
];

const COMMON: Record<string, Spec> = {
  hs_object_id: readOnly({ ...num, label: 'Record ID' }),
  hs_lastmodifieddate: readOnly({ ...datetime, label: 'Last Modified Date' }),
  hubspot_owner_id: owner,
};

const SPECS: Record<string, Record<string, Spec>> = {
  contacts: {
    email: text,
    firstname: text,
    lastname: text,
    company: text,
    createdate: datetime,
    lastmodifieddate: readOnly(datetime),
    lifecyclestage: select([
      ['subscriber', 'Subscriber'],
      ['lead', 'Lead'],
      ['marketingqualifiedlead', 'Marketing Qualified Lead'],
      ['salesqualifiedlead', 'Sales Qualified Lead'],
      ['opportunity', 'Opportunity'],
      ['customer', 'Customer'],
      ['evangelist', 'Evangelist'],
      ['other', 'Other'],
    ]),
    hs_lead_status: select([
      ['NEW', 'New'],
      ['OPEN', 'Open'],
      ['IN_PROGRESS', 'In Progress'],
      ['OPEN_DEAL', 'Open Deal'],
      ['UNQUALIFIED', 'Unqualified'],
      ['ATTEMPTED_TO_CONTACT', 'Attempted to Contact'],
      ['CONNECTED', 'Connected'],
      ['BAD_TIMING', 'Bad Timing'],
    ]),
    hs_analytics_source: calc(
      select([
        ['ORGANIC_SEARCH', 'Organic Search'],
        ['PAID_SEARCH', 'Paid Search'],
        ['EMAIL_MARKETING', 'Email Marketing'],
        ['SOCIAL_MEDIA', 'Organic Social'],
        ['REFERRALS', 'Referrals'],
        ['OTHER_CAMPAIGNS', 'Other Campaigns'],
        ['DIRECT_TRAFFIC', 'Direct Traffic'],
        ['OFFLINE', 'Offline Sources'],
        ['PAID_SOCIAL', 'Paid Social'],
      ]),
    ),
  },
  deals: {
    dealname: text,
    amount: { ...num, label: 'Amount' },
    deal_currency_code: { type: 'enumeration', fieldType: 'select', external: true, label: 'Currency' },
    amount_in_home_currency: calc(num),
    hs_exchange_rate: calc(num),
    pipeline: { type: 'enumeration', fieldType: 'select', external: true },
    dealstage: { type: 'enumeration', fieldType: 'radio', external: true },
    closedate: datetime,
    createdate: datetime,
    hs_is_closed: calc(bool),
    hs_is_closed_won: calc(bool),
    hs_is_closed_lost: calc(bool),
    hs_closed_amount: calc(num),
    hs_closed_amount_in_home_currency: calc(num),
    days_to_close: calc(num),
    hs_deal_stage_probability: calc(num),
    hs_v2_date_entered_current_stage: calc(datetime),
    hs_forecast_category: select([
      ['OMIT', 'Not forecasted'],
      ['PIPELINE', 'Pipeline'],
      ['BEST_CASE', 'Best case'],
      ['COMMIT', 'Commit'],
      ['CLOSED', 'Closed won'],
    ]),
    dealtype: select([
      ['newbusiness', 'New Business'],
      ['existingbusiness', 'Existing Business'],
    ]),
  },
  line_items: {
    name: text,
    hs_sku: text,
    hs_product_id: text,
    price: num,
    quantity: num,
    discount: num,
    hs_discount_percentage: num,
    hs_pre_discount_amount: calc(num),
    hs_total_discount: calc(num),
    amount: calc(num),
    hs_line_item_currency_code: { type: 'enumeration', fieldType: 'select', external: true },
    createdate: datetime,
  },
  quotes: {
    hs_title: text,
    hs_quote_number: text,
    hs_quote_amount: calc(num),
    hs_currency: { type: 'enumeration', fieldType: 'select', external: true },
    hs_expiration_date: date,
    hs_status: select([
      ['DRAFT', 'Draft'],
      ['APPROVAL_NOT_NEEDED', 'Published (approval not needed)'],
      ['PENDING_APPROVAL', 'Pending approval'],
      ['APPROVED', 'Approved'],
      ['REJECTED', 'Rejected'],
    ]),
    hs_esign_enabled: bool,
    hs_esign_num_signers_required: num,
    hs_esign_num_signers_completed: num,
    hs_sign_status: select([
      ['ESIGN_PENDING', 'Pending'],
      ['ESIGN_COMPLETED', 'Completed'],
      ['ESIGN_VOIDED', 'Voided'],
    ]),
    hs_esign_date: datetime,
    hs_manually_signed: bool,
    hs_payment_enabled: bool,
    hs_payment_status: select([
      ['PENDING', 'Pending'],
      ['PAID', 'Paid'],
    ]),
    hs_createdate: datetime,
  },
  calls: {
    hs_timestamp: datetime,
    hs_call_title: text,
    hs_call_body: { type: 'string', fieldType: 'textarea' },
    hs_call_duration: num,
    hs_call_direction: select([
      ['INBOUND', 'Inbound'],
      ['OUTBOUND', 'Outbound'],
    ]),
    hs_call_status: select(
      [
        'BUSY',
        'CALLING_CRM_USER',
        'CANCELED',
        'COMPLETED',
        'CONNECTING',
        'FAILED',
        'IN_PROGRESS',
        'NO_ANSWER',
        'QUEUED',
        'RINGING',
      ].map((value) => [value, value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, ' ')] as const),
    ),
    hs_call_disposition: select(
      (Object.keys(CALL_OUTCOME_GUIDS) as Array<keyof typeof CALL_OUTCOME_GUIDS>).map(
        (outcome) => [CALL_OUTCOME_GUIDS[outcome], CALL_OUTCOME_LABELS[outcome]] as const,
      ),
    ),
    hs_createdate: datetime,
  },
  emails: {
    hs_timestamp: datetime,
    hs_email_subject: text,
    hs_email_direction: select([
      ['EMAIL', 'Sent by owner'],
      ['INCOMING_EMAIL', 'Reply from contact'],
      ['FORWARDED_EMAIL', 'Forwarded'],
    ]),
    hs_email_status: select(
      ['SENT', 'BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING'].map(
        (value) => [value, value.charAt(0) + value.slice(1).toLowerCase()] as const,
      ),
    ),
    hs_createdate: datetime,
  },
  meetings: {
    hs_timestamp: datetime,
    hs_meeting_title: text,
    hs_meeting_start_time: datetime,
    hs_meeting_end_time: datetime,
    hs_meeting_outcome: select([
      ['SCHEDULED', 'Scheduled'],
      ['COMPLETED', 'Completed'],
      ['RESCHEDULED', 'Rescheduled'],
      ['NO_SHOW', 'No show'],
      ['CANCELED', 'Canceled'],
    ]),
    hs_activity_type: text,
    hs_attendee_owner_ids: { type: 'enumeration', fieldType: 'checkbox', external: true, label: 'Attendees' },
    hs_createdate: datetime,
  },
  leads: {
    hs_lead_name: text,
    hs_pipeline: { type: 'enumeration', fieldType: 'select', external: true },
    hs_pipeline_stage: select(Object.values(LEAD_STAGES).map((stage) => [stage.id, stage.label] as const)),
    hs_lead_label: select([
      ['HOT', 'Hot'],
      ['WARM', 'Warm'],
      ['COLD', 'Cold'],
    ]),
    hs_lead_type: select([
      ['NEW_BUSINESS', 'New Business'],
      ['UPSELL', 'Upsell'],
      ['RE_ATTEMPTING', 'Re-attempting'],
    ]),
    hs_v2_date_entered_current_stage: calc(datetime),
    lead_source: {
      ...select(LEAD_SOURCE_OPTIONS),
      custom: true,
      label: 'Lead source',
      group: 'lead_information',
    },
    hs_createdate: datetime,
  },
  goal_targets: {
    hs_goal_name: text,
    hs_target_amount: num,
    hs_start_datetime: datetime,
    hs_end_datetime: datetime,
    hs_assignee_user_id: num,
    hs_assignee_team_id: num,
    hs_created_by_user_id: num,
    hs_group_correlation_uuid: text,
    hs_createdate: datetime,
  },
  users: {
    hs_internal_user_id: num,
    hs_email: text,
    hs_given_name: text,
    hs_family_name: text,
    hs_job_title: text,
    hs_createdate: datetime,
  },
};

/** The standard property definitions of one object type (COMMON ones included). */
export function standardProperties(typeName: string, createdAt: string): PropertyDef[] {
  const specs = { ...SPECS[typeName], ...COMMON };
  if (typeName === 'goal_targets' || typeName === 'users') delete specs.hubspot_owner_id;
  const group = `${typeName.replace(/s$/, '')}information`;
  return Object.entries(specs).map(([name, spec], displayOrder) =>
    definition(name, spec, spec.group ?? group, displayOrder, createdAt),
  );
}

function definition(
  name: string,
  spec: Spec,
  groupName: string,
  displayOrder: number,
  createdAt: string,
): PropertyDef {
  return {
    name,
    label: spec.label ?? humanize(name),
    type: spec.type,
    fieldType: spec.fieldType ?? 'text',
    groupName,
    description: '',
    options: spec.options ?? [],
    externalOptions: spec.external ?? false,
    calculated: spec.calculated ?? false,
    readOnlyValue: spec.readOnly ?? false,
    hasUniqueValue: spec.unique ?? false,
    hubspotDefined: !spec.custom,
    displayOrder,
    createdAt,
    updatedAt: createdAt,
  };
}

/** The properties every custom object has besides those its schema defines. */
export function customObjectBaseProperties(groupName: string, createdAt: string): PropertyDef[] {
  const base: Record<string, Spec> = { ...COMMON, hs_createdate: datetime };
  return Object.entries(base).map(([name, spec], displayOrder) =>
    definition(name, spec, groupName, displayOrder, createdAt),
  );
}

/** The property groups of a standard object type (every groupName its properties use). */
export function standardGroups(properties: readonly PropertyDef[]): string[] {
  return [...new Set(properties.map((property) => property.groupName))];
}

function humanize(name: string): string {
  const words = name.replace(/^hs_/, '').split('_');
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
