import type { Random } from './random.ts';

/**
 * Edge cases every world must contain, however small. They also occur at random in every rep's
 * book; the showcase rep (rep 0) additionally gets each one at its first opportunity, so even a
 * 10-rep world has all of them for any seed. A departed rep is owed one won deal, so bookings
 * owned by an inactive user always exist.
 */
export type EdgeCase =
  | 'queueOwnedLead'
  | 'deletedLead'
  | 'leadConvertedWithoutOpportunity'
  | 'deletedOpportunity'
  | 'closeBeforeCreated'
  | 'nullAmount'
  | 'omittedFromForecast'
  | 'euroOpportunity'
  | 'poundOpportunity'
  | 'deletedLineItem'
  | 'deletedQuote'
  | 'deletedCall'
  | 'deletedEmail'
  | 'deletedMeeting'
  | 'meetingWithInvitees'
  | 'canceledMeeting'
  | 'noShowMeeting'
  | 'rescheduledMeeting'
  | 'eveningActivity'
  | 'overduePlannedCall'
  | 'upcomingPlannedCall'
  | 'upcomingMeeting'
  | 'departedRepWin';

export const SHOWCASE_EDGE_CASES: readonly EdgeCase[] = [
  'queueOwnedLead',
  'deletedLead',
  'leadConvertedWithoutOpportunity',
  'deletedOpportunity',
  'closeBeforeCreated',
  'nullAmount',
  'omittedFromForecast',
  'euroOpportunity',
  'poundOpportunity',
  'deletedLineItem',
  'deletedQuote',
  'deletedCall',
  'deletedEmail',
  'deletedMeeting',
  'meetingWithInvitees',
  'canceledMeeting',
  'noShowMeeting',
  'rescheduledMeeting',
  'eveningActivity',
  'overduePlannedCall',
  'upcomingPlannedCall',
  'upcomingMeeting',
];

export class EdgeCases {
  readonly #random: Random;
  readonly #pending: Set<EdgeCase>;

  constructor(random: Random, owed: readonly EdgeCase[]) {
    this.#random = random;
    this.#pending = new Set(owed);
  }

  /** True with `probability`, or when this case is still owed (the random draw happens either way). */
  decide(edgeCase: EdgeCase, probability: number): boolean {
    const drawn = this.#random.chance(probability);
    return this.claim(edgeCase) || drawn;
  }

  /** True once, the first time it is asked, when this case is owed. */
  claim(edgeCase: EdgeCase): boolean {
    return this.#pending.delete(edgeCase);
  }

  /** Whether this case is still owed (asking does not settle it). */
  owes(edgeCase: EdgeCase): boolean {
    return this.#pending.has(edgeCase);
  }
}
