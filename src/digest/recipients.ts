import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { UsageError } from '../errors/usage-error.ts';
import type { Audience } from './model.ts';
import type { DigestSchedule } from './settings.ts';

/** One digest to build: whose numbers, and where the email goes. */
export interface Recipient {
  /** The digest_log recipient: the manager's rep id, or '*' for the org (as in rep_period_kpis). */
  key: string;
  audience: Audience;
  /** Email addresses; empty when none is known (the email channel then reports it). */
  to: string[];
}

export interface RecipientProblem {
  recipient: string;
  reason: string;
}

export const ORG_RECIPIENT = '*';

export type RecipientSpec = Pick<DigestSchedule, 'recipients' | 'to'>;

interface RepIdentity {
  rep_id: string;
  name: string | null;
  email: string | null;
}

/**
 * The recipients of a schedule. `only` (rep ids or emails, or 'org') narrows them, e.g. to the
 * one manager of `attain digest --manager`; naming someone the schedule does not cover is a usage
 * error. Managers the config names but the reps table does not know are returned as problems, so
 * the run reports them instead of skipping them silently.
 */
export async function resolveRecipients(
  db: Kysely<DB>,
  connectionId: string,
  spec: RecipientSpec,
  only?: readonly string[],
): Promise<{ recipients: Recipient[]; problems: RecipientProblem[] }> {
  const problems: RecipientProblem[] = [];
  let recipients: Recipient[];
  if (spec.recipients === 'org') {
    recipients = [{ key: ORG_RECIPIENT, audience: { kind: 'org' }, to: spec.to ?? [] }];
  } else if (spec.recipients === 'managers') {
    recipients = (await managers(db, connectionId)).map((rep) => teamRecipient(rep, undefined));
  } else {
    const reps = await allReps(db, connectionId);
    recipients = [];
    for (const entry of spec.recipients) {
      const rep = findRep(reps, entry.manager);
      if (rep) recipients.push(teamRecipient(rep, entry.to));
      else problems.push({ recipient: entry.manager, reason: 'no rep with this id or email' });
    }
  }
  if (only === undefined || only.length === 0) return { recipients, problems };
  const selected = only.map((wanted) => {
    const match = recipients.find((recipient) => matches(recipient, wanted));
    if (!match)
      throw new UsageError(`"${wanted}" is not a recipient here (give a manager's rep id or email)`);
    return match;
  });
  return {
    recipients: [...new Set(selected)],
    problems: problems.filter((problem) => only.some((wanted) => sameIdentity(problem.recipient, wanted))),
  };
}

function teamRecipient(rep: RepIdentity, to: string[] | undefined): Recipient {
  return {
    key: rep.rep_id,
    audience: {
      kind: 'team',
      managerRepId: rep.rep_id,
      managerName: rep.name ?? rep.email ?? rep.rep_id,
      managerEmail: rep.email,
    },
    to: to ?? (rep.email ? [rep.email] : []),
  };
}

function matches(recipient: Recipient, wanted: string): boolean {
  if (recipient.audience.kind === 'org') return wanted === 'org' || wanted === ORG_RECIPIENT;
  return (
    recipient.key === wanted ||
    (recipient.audience.managerEmail !== null && sameIdentity(recipient.audience.managerEmail, wanted))
  );
}

function sameIdentity(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function findRep(reps: readonly RepIdentity[], wanted: string): RepIdentity | undefined {
  return (
    reps.find((rep) => rep.rep_id === wanted) ??
    reps.find((rep) => rep.email !== null && sameIdentity(rep.email, wanted))
  );
}

async function allReps(db: Kysely<DB>, connectionId: string): Promise<RepIdentity[]> {
  return db
    .selectFrom('reps')
    .select(['rep_id', 'name', 'email'])
    .where('connection_id', '=', connectionId)
    .where('is_deleted', '=', false)
    .orderBy('rep_id')
    .execute();
}

/** Active reps with at least one active direct report. */
async function managers(db: Kysely<DB>, connectionId: string): Promise<RepIdentity[]> {
  return db
    .selectFrom('reps as m')
    .select(['m.rep_id', 'm.name', 'm.email'])
    .where('m.connection_id', '=', connectionId)
    .where('m.is_active', '=', true)
    .where('m.is_deleted', '=', false)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('reps as r')
          .select('r.rep_id')
          .whereRef('r.connection_id', '=', 'm.connection_id')
          .whereRef('r.manager_id', '=', 'm.rep_id')
          .where('r.is_active', '=', true)
          .where('r.is_deleted', '=', false),
      ),
    )
    .orderBy('m.name')
    .orderBy('m.rep_id')
    .execute();
}
