import type { RepBook, World } from './types.ts';

/** The record lists of a rep book, in canonical order (the order they are serialised in). */
export const BOOK_KINDS = [
  'leads',
  'calls',
  'emails',
  'meetings',
  'opportunities',
  'opportunityLineItems',
  'quotes',
  'quoteLineItems',
  'quotas',
] as const satisfies ReadonlyArray<keyof RepBook & keyof World>;

export type BookKind = (typeof BOOK_KINDS)[number];

/** The NDJSON `kind` of one record of each list. */
export const RECORD_KIND: Record<BookKind, string> = {
  leads: 'lead',
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  opportunities: 'opportunity',
  opportunityLineItems: 'opportunityLineItem',
  quotes: 'quote',
  quoteLineItems: 'quoteLineItem',
  quotas: 'quota',
};
