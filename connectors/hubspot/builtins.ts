/**
 * Identifiers HubSpot defines for every portal (spec §3.6, §3.8, §4.4–4.5). The emulator renders
 * them and the connector's mapping defaults name them, so both sides spell them once, here.
 */

/** Default call outcome (hs_call_disposition) GUIDs. */
export const CALL_OUTCOME_GUIDS = {
  busy: '9d9162e7-6cf3-4944-bf63-4dff82258764',
  connected: 'f240bbac-87c9-4f6e-bf70-924b57d47db7',
  left_live_message: 'a4c4c377-d246-4b32-a13b-75a56a4cd0ff',
  left_voicemail: 'b2cf5968-551e-4856-9783-52b3da59a7d0',
  no_answer: '73a0d17f-1163-4015-bdd5-ec830791da20',
  wrong_number: '17b47fee-58de-441e-a44c-c6300d46f273',
} as const;

/** Labels of the default call outcomes, as the hs_call_disposition options list them. */
export const CALL_OUTCOME_LABELS: Record<keyof typeof CALL_OUTCOME_GUIDS, string> = {
  busy: 'Busy',
  connected: 'Connected',
  left_live_message: 'Left live message',
  left_voicemail: 'Left voicemail',
  no_answer: 'No answer',
  wrong_number: 'Wrong number',
};

/** The default leads pipeline and its stages. */
export const LEAD_PIPELINE_ID = 'lead-pipeline-id';
export const LEAD_STAGES = {
  new: { id: 'new-stage-id', label: 'New' },
  attempting: { id: 'attempting-stage-id', label: 'Attempting' },
  connected: { id: 'connected-stage-id', label: 'Connected' },
  qualified: { id: 'qualified-stage-id', label: 'Qualified' },
  unqualified: { id: 'unqualified-stage-id', label: 'Unqualified' },
} as const;

/** The default deals pipeline id. */
export const DEFAULT_DEAL_PIPELINE_ID = 'default';

/** HubSpot-defined association type ids (the client's exported AssociationTypes), by `from|to`. */
export const ASSOCIATION_TYPE_IDS: Readonly<Record<string, number>> = {
  'deals|contacts': 3,
  'contacts|deals': 4,
  'deals|line_items': 19,
  'line_items|deals': 20,
  'deals|quotes': 63,
  'quotes|deals': 64,
  'quotes|line_items': 67,
  'line_items|quotes': 68,
  'contacts|calls': 193,
  'calls|contacts': 194,
  'contacts|emails': 197,
  'emails|contacts': 198,
  'contacts|meetings': 199,
  'meetings|contacts': 200,
  'deals|calls': 205,
  'calls|deals': 206,
  'deals|emails': 209,
  'emails|deals': 210,
  'deals|meetings': 211,
  'meetings|deals': 212,
  'leads|contacts': 578,
  'contacts|leads': 579,
};
