export type RecordKind =
  | 'lead'
  | 'call'
  | 'email'
  | 'meeting'
  | 'opportunity'
  | 'opportunityLineItem'
  | 'quote'
  | 'quoteLineItem'
  | 'quota';

/** Per-kind key sequences, shared by all books of one stream: keys follow generation order. */
export class KeySequences {
  readonly #last: Record<RecordKind, number> = {
    lead: 0,
    call: 0,
    email: 0,
    meeting: 0,
    opportunity: 0,
    opportunityLineItem: 0,
    quote: 0,
    quoteLineItem: 0,
    quota: 0,
  };

  next(kind: RecordKind): number {
    return ++this.#last[kind];
  }
}
