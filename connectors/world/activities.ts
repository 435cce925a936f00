import type { BookContext } from './book-context.ts';
import { Weighted } from './random.ts';
import { DAY_MS } from './timeline.ts';
import type { CallOutcome, MeetingOutcome, WorldCall, WorldEmail, WorldMeeting } from './types.ts';
import { iso, uniformInstant, workInstant } from './work-time.ts';

/** What an activity is about: a lead, an opportunity, or neither (prospecting, internal). */
export interface ActivityLink {
  leadKey: number | null;
  opportunityKey: number | null;
}

export interface ActivityMark {
  calls: number;
  emails: number;
  meetings: number;
}

const MINUTE_MS = 60_000;
const OUTBOUND_OUTCOMES = new Weighted<CallOutcome>([
  ['connected', 29],
  ['left_live_message', 5],
  ['left_voicemail', 25],
  ['no_answer', 29],
  ['busy', 7],
  ['wrong_number', 5],
]);
const INBOUND_OUTCOMES = new Weighted<CallOutcome>([
  ['connected', 85],
  ['left_voicemail', 15],
]);
const PAST_MEETING_OUTCOMES = new Weighted<MeetingOutcome>([
  ['completed', 79],
  ['canceled', 8],
  ['no_show', 6],
  ['rescheduled', 4],
  ['scheduled', 3],
]);
const MEETING_MINUTES = [30, 30, 45, 60, 60];
const CALL_SUBJECTS = {
  lead: ['Intro call', 'Qualification call', 'Call', 'Follow-up call'],
  opportunity: ['Discovery call', 'Follow-up call', 'Pricing call', 'Check-in call', 'Call'],
  none: ['Prospecting call', 'Call', 'Cold call'],
};
const EMAIL_SUBJECTS = {
  outbound: [
    'Following up',
    'Quick question',
    'Intro and next steps',
    'Proposal attached',
    'Meeting recap',
    'Checking in',
  ],
  inbound: ['Re: Following up', 'Re: Proposal attached', 'Re: Meeting recap', 'Re: Quick question'],
};
const MEETING_SUBJECTS = {
  external: [
    'Discovery meeting',
    'Product demo',
    'Technical deep dive',
    'Pricing review',
    'Executive briefing',
  ],
  internal: ['Pipeline review', 'Deal strategy', 'Account planning', 'Forecast call'],
};
const DELETED_ACTIVITY_PROBABILITY = 0.01;

/**
 * Collects one rep's calls, emails and meetings as they are generated per lead, per opportunity
 * and unlinked; `finish` orders each kind by time and assigns keys in that order.
 */
export class ActivityLog {
  readonly calls: WorldCall[] = [];
  readonly emails: WorldEmail[] = [];
  readonly meetings: WorldMeeting[] = [];
  readonly #ctx: BookContext;

  constructor(ctx: BookContext) {
    this.#ctx = ctx;
  }

  mark(): ActivityMark {
    return { calls: this.calls.length, emails: this.emails.length, meetings: this.meetings.length };
  }

  /** The activities logged since `mark`, e.g. to cascade a parent's deletion onto them. */
  *since(mark: ActivityMark): Generator<WorldCall | WorldEmail | WorldMeeting> {
    yield* this.calls.slice(mark.calls);
    yield* this.emails.slice(mark.emails);
    yield* this.meetings.slice(mark.meetings);
  }

  countSince(mark: ActivityMark): number {
    return (
      this.calls.length - mark.calls + this.emails.length - mark.emails + this.meetings.length - mark.meetings
    );
  }

  /** Completed calls at working times in [fromMs, toMs]. */
  completedCalls(count: number, fromMs: number, toMs: number, link: ActivityLink): void {
    const { random, edges, timeline } = this.#ctx;
    const subjects = subjectsFor(CALL_SUBJECTS, link);
    for (let i = 0; i < count; i++) {
      const evening = edges.decide('eveningActivity', 0.03);
      const at = workInstant(random, timeline.days, fromMs, toMs, { evening });
      const direction =
        link.leadKey !== null || link.opportunityKey !== null ? inboundOr(random.chance(0.1)) : 'outbound';
      const outcome = (direction === 'inbound' ? INBOUND_OUTCOMES : OUTBOUND_OUTCOMES).sample(random);
      const durationSeconds = callDuration(this.#ctx, outcome);
      const loggedMs = Math.min(
        timeline.cutoffMs,
        at + durationSeconds * 1000 + random.int(0, 15) * MINUTE_MS,
      );
      this.calls.push(
        this.#versioned(loggedMs, 'deletedCall', {
          key: 0,
          ownerUserKey: this.#ctx.rep.key,
          status: 'completed' as const,
          at: iso(at),
          outcome,
          direction,
          durationSeconds,
          subject: random.pick(subjects),
          leadKey: link.leadKey,
          opportunityKey: link.opportunityKey,
        }),
      );
    }
  }

  /** An open call task due around now: overdue by a few days or due in the next two weeks. */
  plannedCall(link: ActivityLink, notBeforeMs: number): void {
    const { random, timeline, edges } = this.#ctx;
    let fromMs = timeline.nowMs - 4 * DAY_MS;
    let toMs = timeline.nowMs + 14 * DAY_MS;
    if (edges.claim('overduePlannedCall')) toMs = timeline.cutoffMs;
    else if (edges.claim('upcomingPlannedCall')) fromMs = timeline.nowMs + 3_600_000;
    const dueMs = workInstant(random, timeline.days, fromMs, toMs);
    const createdMs = Math.min(timeline.cutoffMs, Math.max(notBeforeMs, dueMs - random.int(1, 10) * DAY_MS));
    this.calls.push(
      this.#versioned(createdMs, 'deletedCall', {
        key: 0,
        ownerUserKey: this.#ctx.rep.key,
        status: 'planned' as const,
        at: iso(dueMs),
        outcome: null,
        direction: 'outbound' as const,
        durationSeconds: null,
        subject: random.pick(subjectsFor(CALL_SUBJECTS, link)),
        leadKey: link.leadKey,
        opportunityKey: link.opportunityKey,
      }),
    );
  }

  /** Emails sent (or, for `inboundShare`, received) in [fromMs, toMs]. */
  emailsBetween(count: number, fromMs: number, toMs: number, link: ActivityLink, inboundShare: number): void {
    const { random, edges, timeline } = this.#ctx;
    for (let i = 0; i < count; i++) {
      const evening = edges.decide('eveningActivity', 0.05);
      const sentMs = workInstant(random, timeline.days, fromMs, toMs, { evening });
      const direction = inboundOr(random.chance(inboundShare));
      this.emails.push(
        this.#versioned(sentMs, 'deletedEmail', {
          key: 0,
          ownerUserKey: this.#ctx.rep.key,
          direction,
          sentAt: iso(sentMs),
          subject: random.pick(direction === 'inbound' ? EMAIL_SUBJECTS.inbound : EMAIL_SUBJECTS.outbound),
          leadKey: link.leadKey,
          opportunityKey: link.opportunityKey,
        }),
      );
    }
  }

  /** Meetings starting in [fromMs, toMs]; those still ahead (or not yet logged) stay 'scheduled'. */
  meetingsBetween(count: number, fromMs: number, toMs: number, link: ActivityLink, internal = false): void {
    const { random, edges, timeline } = this.#ctx;
    for (let i = 0; i < count; i++) {
      const startMs = workInstant(random, timeline.days, fromMs, toMs, { slotSeconds: 1800 });
      const endMs = startMs + random.pick(MEETING_MINUTES) * MINUTE_MS;
      if (startMs > timeline.nowMs) edges.claim('upcomingMeeting');
      const outcome = endMs > timeline.cutoffMs ? 'scheduled' : pastOutcome(this.#ctx);
      const bookedMs = Math.min(timeline.cutoffMs, Math.max(fromMs, startMs - random.int(1, 14) * DAY_MS));
      let loggedMs = bookedMs;
      if (outcome === 'completed' || outcome === 'no_show')
        loggedMs = Math.min(timeline.cutoffMs, endMs + random.int(0, 120) * MINUTE_MS);
      else if (outcome === 'canceled' || outcome === 'rescheduled')
        loggedMs = uniformInstant(random, bookedMs, Math.min(startMs, timeline.cutoffMs));
      const invitees = edges.decide('meetingWithInvitees', internal ? 0.35 : 0.12)
        ? this.#invitees(startMs)
        : [];
      const meeting = this.#versioned(bookedMs, 'deletedMeeting', {
        key: 0,
        ownerUserKey: this.#ctx.rep.key,
        startAt: iso(startMs),
        endAt: iso(endMs),
        outcome,
        subject: random.pick(internal ? MEETING_SUBJECTS.internal : MEETING_SUBJECTS.external),
        inviteeUserKeys: invitees,
        opportunityKey: link.opportunityKey,
      });
      const logged = iso(loggedMs);
      if (meeting.deletedAt === null && logged > meeting.modifiedAt) meeting.modifiedAt = logged;
      this.meetings.push(meeting);
    }
  }

  /** Sorts each kind by its time (stable: ties keep generation order) and assigns keys. */
  finish(): void {
    const { keys } = this.#ctx;
    this.calls.sort((a, b) => compare(a.at, b.at));
    this.emails.sort((a, b) => compare(a.sentAt, b.sentAt));
    this.meetings.sort((a, b) => compare(a.startAt, b.startAt));
    for (const call of this.calls) call.key = keys.next('call');
    for (const email of this.emails) email.key = keys.next('email');
    for (const meeting of this.meetings) meeting.key = keys.next('meeting');
  }

  /** The rep's manager and/or a teammate who was on the team at the time. */
  #invitees(atMs: number): number[] {
    const { random, rep } = this.#ctx;
    const peers = rep.teammates.filter(
      (peer) => peer.key !== rep.key && peer.startMs <= atMs && atMs <= peer.endMs,
    );
    const peer = peers.length > 0 ? random.pick(peers).key : null;
    const roll = random.next();
    if (peer === null || roll < 0.5) return [rep.managerKey];
    return roll < 0.8 ? [peer] : [rep.managerKey, peer];
  }

  /** Stamps: created at `createdMs`, sometimes edited later; a few deleted on their own. */
  #versioned<T extends object>(
    createdMs: number,
    deletion: 'deletedCall' | 'deletedEmail' | 'deletedMeeting',
    fields: T,
  ): T & { createdAt: string; modifiedAt: string; deletedAt: string | null } {
    const { random, edges, timeline } = this.#ctx;
    const createdAt = iso(createdMs);
    let modifiedAt = createdAt;
    let deletedAt: string | null = null;
    if (edges.decide(deletion, DELETED_ACTIVITY_PROBABILITY)) {
      deletedAt = iso(
        uniformInstant(random, createdMs, Math.min(timeline.cutoffMs, createdMs + 30 * DAY_MS)),
      );
      modifiedAt = deletedAt;
    } else if (random.chance(0.08)) {
      modifiedAt = iso(
        uniformInstant(random, createdMs, Math.min(timeline.cutoffMs, createdMs + 3 * DAY_MS)),
      );
    }
    return { ...fields, createdAt, modifiedAt, deletedAt };
  }
}

function pastOutcome(ctx: BookContext): MeetingOutcome {
  const { edges, random } = ctx;
  const sampled = PAST_MEETING_OUTCOMES.sample(random);
  if (edges.claim('canceledMeeting')) return 'canceled';
  if (edges.claim('noShowMeeting')) return 'no_show';
  if (edges.claim('rescheduledMeeting')) return 'rescheduled';
  return sampled;
}

function callDuration(ctx: BookContext, outcome: CallOutcome): number {
  const { random } = ctx;
  switch (outcome) {
    case 'connected':
      return Math.round(random.logNormal(420, 0.7, 60, 3600));
    case 'left_live_message':
      return random.int(30, 150);
    case 'left_voicemail':
      return random.int(20, 75);
    case 'no_answer':
      return random.int(15, 40);
    case 'busy':
      return random.int(2, 10);
    case 'wrong_number':
      return random.int(10, 60);
  }
}

function subjectsFor(
  subjects: { lead: string[]; opportunity: string[]; none: string[] },
  link: ActivityLink,
): string[] {
  if (link.opportunityKey !== null) return subjects.opportunity;
  return link.leadKey !== null ? subjects.lead : subjects.none;
}

function inboundOr(inbound: boolean): 'inbound' | 'outbound' {
  return inbound ? 'inbound' : 'outbound';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
