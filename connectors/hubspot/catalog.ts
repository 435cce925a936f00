/**
 * What attain extracts from a portal, in order: owners and pipelines (re-listed in full every
 * run; they are small and change without touching records), then the CRM objects. Each CRM
 * object names the properties KPIs read and the associations landed with every record.
 */
export interface CatalogObject {
  name: string;
  properties: readonly string[];
  /** Object types whose associated ids are landed as `associations.<type>`. */
  associations: readonly string[];
}

/** Listed in full each run (owners through the owners API, pipelines of deals and leads). */
export const REFERENCE_OBJECTS = ['owners', 'pipelines'] as const;

const STAMPS = ['hs_object_id', 'hs_lastmodifieddate', 'hubspot_owner_id'];

export const CRM_CATALOG: readonly CatalogObject[] = [
  {
    name: 'deals',
    properties: [
      ...STAMPS,
      'dealname',
      'amount',
      'amount_in_home_currency',
      'hs_exchange_rate',
      'deal_currency_code',
      'pipeline',
      'dealstage',
      'closedate',
      'createdate',
      'hs_is_closed',
      'hs_is_closed_won',
      'hs_deal_stage_probability',
      'hs_forecast_category',
      'dealtype',
    ],
    associations: [],
  },
  {
    name: 'line_items',
    properties: [
      ...STAMPS,
      'name',
      'hs_sku',
      'price',
      'quantity',
      'discount',
      'hs_discount_percentage',
      'hs_total_discount',
      'amount',
      'hs_line_item_currency_code',
      'createdate',
    ],
    associations: ['deals', 'quotes'],
  },
  {
    name: 'quotes',
    properties: [
      ...STAMPS,
      'hs_title',
      'hs_status',
      'hs_quote_amount',
      'hs_currency',
      'hs_createdate',
      'hs_expiration_date',
      'hs_esign_enabled',
      'hs_esign_num_signers_required',
      'hs_esign_num_signers_completed',
      'hs_sign_status',
      'hs_quote_esign_status',
      'hs_manually_signed',
      'hs_payment_status',
    ],
    associations: ['deals'],
  },
  {
    name: 'calls',
    properties: [
      ...STAMPS,
      'hs_timestamp',
      'hs_call_status',
      'hs_call_direction',
      'hs_call_disposition',
      'hs_call_duration',
      'hs_createdate',
    ],
    associations: [],
  },
  {
    name: 'emails',
    properties: [...STAMPS, 'hs_timestamp', 'hs_email_direction', 'hs_email_status', 'hs_createdate'],
    associations: [],
  },
  {
    name: 'meetings',
    properties: [
      ...STAMPS,
      'hs_timestamp',
      'hs_meeting_start_time',
      'hs_meeting_end_time',
      'hs_meeting_outcome',
      'hs_attendee_owner_ids',
      'hs_createdate',
    ],
    associations: [],
  },
  {
    name: 'leads',
    properties: [...STAMPS, 'hs_lead_name', 'hs_pipeline', 'hs_pipeline_stage', 'hs_createdate'],
    associations: [],
  },
  {
    name: 'goal_targets',
    properties: [
      'hs_object_id',
      'hs_lastmodifieddate',
      'hs_goal_name',
      'hs_target_amount',
      'hs_target_amount_in_home_currency',
      'hs_start_datetime',
      'hs_end_datetime',
      'hs_assignee_user_id',
      'hs_assignee_team_id',
      'hs_createdate',
    ],
    associations: [],
  },
];

/** Every object extraction may read, in extraction order. */
export const HUBSPOT_OBJECTS: readonly string[] = [
  ...REFERENCE_OBJECTS,
  ...CRM_CATALOG.map((entry) => entry.name),
];

export function catalogObject(name: string): CatalogObject | undefined {
  return CRM_CATALOG.find((entry) => entry.name === name);
}
