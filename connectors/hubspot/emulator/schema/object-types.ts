/**
 * The CRM object types the emulated portal serves (spec §2.3): path names, type ids, the
 * singular used in association labels, the display name that keys embedded v3 associations, the
 * creation and modification properties, and the default properties of list/get/search answers.
 */
export interface ObjectTypeDef {
  /** The plural path name (`deals`), or a custom object's fully qualified name. */
  name: string;
  objectTypeId: string;
  /** Singular, as association labels spell it (`deal_to_line_item`). */
  singular: string;
  /** The key of embedded v3 associations (`"line items"`, with a space). */
  displayName: string;
  /** The property holding the creation time. */
  createdProperty: string;
  /** Modification properties bumped on every write (contacts have two). */
  modifiedProperties: readonly string[];
  /** Properties returned when a request names none. */
  defaultProperties: readonly string[];
  /** Read-only through the API (goal targets). */
  readOnly: boolean;
  custom: boolean;
}

const standard = (
  name: string,
  objectTypeId: string,
  singular: string,
  createdProperty: string,
  defaultProperties: readonly string[],
  extra: Partial<ObjectTypeDef> = {},
): ObjectTypeDef => ({
  name,
  objectTypeId,
  singular,
  displayName: name.replace(/_/g, ' '),
  createdProperty,
  modifiedProperties: ['hs_lastmodifieddate'],
  defaultProperties: [...defaultProperties, createdProperty, 'hs_lastmodifieddate', 'hs_object_id'],
  readOnly: false,
  custom: false,
  ...extra,
});

export const STANDARD_OBJECT_TYPES: readonly ObjectTypeDef[] = [
  standard('contacts', '0-1', 'contact', 'createdate', ['email', 'firstname', 'lastname'], {
    modifiedProperties: ['lastmodifieddate', 'hs_lastmodifieddate'],
    defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  }),
  standard('deals', '0-3', 'deal', 'createdate', [
    'amount',
    'closedate',
    'dealname',
    'dealstage',
    'pipeline',
  ]),
  standard('line_items', '0-8', 'line_item', 'createdate', ['name', 'price', 'quantity', 'amount']),
  standard('quotes', '0-14', 'quote', 'hs_createdate', ['hs_title', 'hs_expiration_date', 'hs_status']),
  standard('meetings', '0-47', 'meeting', 'hs_createdate', ['hs_timestamp', 'hs_meeting_title']),
  standard('calls', '0-48', 'call', 'hs_createdate', ['hs_timestamp', 'hs_call_title']),
  standard('emails', '0-49', 'email', 'hs_createdate', ['hs_timestamp', 'hs_email_subject']),
  standard('goal_targets', '0-74', 'goal_target', 'hs_createdate', ['hs_goal_name', 'hs_target_amount'], {
    readOnly: true,
  }),
  standard('users', '0-115', 'user', 'hs_createdate', ['hs_internal_user_id', 'hs_email']),
  standard('leads', '0-136', 'lead', 'hs_createdate', ['hs_lead_name', 'hs_pipeline', 'hs_pipeline_stage']),
];

/** A custom object's type definition, from its schema. */
export function customObjectType(
  fullyQualifiedName: string,
  objectTypeId: string,
  name: string,
  primaryDisplayProperty: string,
): ObjectTypeDef {
  return {
    name: fullyQualifiedName,
    objectTypeId,
    singular: name,
    displayName: name,
    createdProperty: 'hs_createdate',
    modifiedProperties: ['hs_lastmodifieddate'],
    defaultProperties: [primaryDisplayProperty, 'hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    readOnly: false,
    custom: true,
  };
}
