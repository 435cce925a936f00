import { buildCurrencies, HOME_CURRENCY, type CurrencyTables } from './currencies.ts';
import { emailPart, orgName, personName, regionName, slug, teamName } from './names.ts';
import { deriveSeed, Random } from './random.ts';
import { DAY_MS, type WorldTimeline } from './timeline.ts';
import type { ResolvedWorldOptions, WorldHeader, WorldQueue, WorldUser } from './types.ts';

/** When a rep could own records: [startMs, endMs] within the world's span. */
export interface RepWindow {
  key: number;
  startMs: number;
  endMs: number;
}

/** What a rep's book is generated from, besides the seed. */
export interface RepProfile extends RepWindow {
  /** 0-based position among the reps; seeds the rep's own random stream. */
  index: number;
  user: WorldUser;
  /** False for departed reps, whose window ends at their departure. */
  active: boolean;
  managerKey: number;
  /** The rep's team (itself included), for meeting invitees. */
  teammates: readonly RepWindow[];
}

export interface Staff {
  header: WorldHeader;
  reps: RepProfile[];
  currencyTables: CurrencyTables;
}

const TEAM_SIZE = { min: 7, max: 9 } as const;
const DIRECTOR_SPAN = { min: 4, max: 6 } as const;
const NEW_HIRE_PROBABILITY = 0.12;
const DEPARTURE_PROBABILITY = 0.05;
/** A departed rep worked at least this long inside the span, so it owns closed deals. */
const MIN_TENURE_BEFORE_DEPARTURE_MS = 200 * DAY_MS;
const QUEUE_NAMES = ['Inbound Web Leads', 'Partner Leads', 'Event Leads'];

/**
 * The org, its users and its lead queues: two levels of management above `scale` reps, plus an
 * administrator and an integration user. Each rep's hire and departure come from the rep's own
 * random stream, so they do not shift when the scale changes.
 */
export function buildStaff(options: ResolvedWorldOptions, timeline: WorldTimeline): Staff {
  const random = new Random(deriveSeed(options.seed, 'staff'));
  const name = orgName(random);
  const domain = `${slug(name)}.example`;
  const currencyTables = buildCurrencies(
    new Random(deriveSeed(options.seed, 'currencies')),
    timeline,
    options.multiCurrency,
  );
  const { spanStartMs, cutoffMs } = timeline;
  const users: WorldUser[] = [];
  const instant = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  const addUser = (
    role: WorldUser['role'],
    title: string,
    managerKey: number | null,
    team: string | null,
    createdMs: number,
    named = personName(random),
  ): WorldUser => {
    const key = users.length + 1;
    const user: WorldUser = {
      key,
      role,
      firstName: named.firstName,
      lastName: named.lastName,
      email: `${emailPart(named.firstName)}.${emailPart(named.lastName)}${key}@${domain}`,
      title,
      managerKey,
      isActive: true,
      team,
      createdAt: instant(createdMs),
      modifiedAt: instant(random.range(createdMs, cutoffMs)),
    };
    users.push(user);
    return user;
  };

  addUser('admin', 'CRM Administrator', null, null, spanStartMs - random.range(1200, 1600) * DAY_MS);
  addUser('integration', 'Integration User', null, null, spanStartMs - random.range(10, 60) * DAY_MS, {
    firstName: 'Integration',
    lastName: 'User',
  });

  const teamSizes = partition(random, options.scale, TEAM_SIZE);
  const directorSpans = partition(random, teamSizes.length, DIRECTOR_SPAN);
  const directors = directorSpans.map((_, index) =>
    addUser(
      'director',
      'Regional Sales Director',
      null,
      regionName(index),
      spanStartMs - random.range(400, 1500) * DAY_MS,
    ),
  );
  const managers: WorldUser[] = [];
  directorSpans.forEach((span, directorIndex) => {
    const director = directors[directorIndex] as WorldUser;
    for (let i = 0; i < span; i++)
      managers.push(
        addUser(
          'manager',
          'Sales Manager',
          director.key,
          teamName(managers.length),
          spanStartMs - random.range(200, 1200) * DAY_MS,
        ),
      );
  });

  const reps: RepProfile[] = [];
  let repIndex = 0;
  teamSizes.forEach((size, teamIndex) => {
    const manager = managers[teamIndex] as WorldUser;
    const teammates: RepWindow[] = [];
    for (let i = 0; i < size; i++, repIndex++) {
      const profile = repProfile(options, timeline, repIndex, manager, teammates, addUser);
      teammates.push(profile);
      reps.push(profile);
    }
  });
  ensureDeparture(reps, timeline);

  const queues: WorldQueue[] = QUEUE_NAMES.slice(0, random.int(2, 3)).map((queueName, index) => ({
    key: index + 1,
    name: queueName,
  }));
  return {
    header: {
      options,
      org: {
        name,
        homeCurrency: HOME_CURRENCY,
        timezone: options.timezone,
        fiscalYearStartMonth: options.fiscalYearStartMonth,
        multiCurrency: options.multiCurrency,
        currencies: currencyTables.currencies,
        datedRates: currencyTables.datedRates,
      },
      users,
      queues,
    },
    reps,
    currencyTables,
  };
}

type AddUser = (
  role: WorldUser['role'],
  title: string,
  managerKey: number | null,
  team: string | null,
  createdMs: number,
  named?: { firstName: string; lastName: string },
) => WorldUser;

function repProfile(
  options: ResolvedWorldOptions,
  timeline: WorldTimeline,
  index: number,
  manager: WorldUser,
  teammates: readonly RepWindow[],
  addUser: AddUser,
): RepProfile {
  const { spanStartMs, cutoffMs } = timeline;
  const random = new Random(deriveSeed(options.seed, 'rep-profile', index));
  // Rep 0 is the showcase rep (see edge-cases.ts): a veteran who never leaves.
  const newHire = index > 0 && random.chance(NEW_HIRE_PROBABILITY);
  const hiredMs = newHire
    ? random.range(spanStartMs, cutoffMs - 120 * DAY_MS)
    : spanStartMs - random.range(60, 1200) * DAY_MS;
  const title = random.chance(0.3) ? 'Senior Account Executive' : 'Account Executive';
  const user = addUser('rep', title, manager.key, manager.team, hiredMs, personName(random));
  const profile: RepProfile = {
    key: user.key,
    index,
    user,
    startMs: Math.max(spanStartMs, Math.floor(hiredMs / 1000) * 1000),
    endMs: cutoffMs,
    active: true,
    managerKey: manager.key,
    teammates,
  };
  if (index > 0 && random.chance(DEPARTURE_PROBABILITY)) depart(profile, random.next(), timeline);
  return profile;
}

/** At least one departed rep whenever there are two or more, so "inactive owner" always exists. */
function ensureDeparture(reps: RepProfile[], timeline: WorldTimeline): void {
  const last = reps[reps.length - 1];
  if (reps.length < 2 || reps.some((rep) => !rep.active) || !last) return;
  last.startMs = timeline.spanStartMs;
  last.user.createdAt = new Date(timeline.spanStartMs - 90 * DAY_MS).toISOString();
  depart(last, 0.5, timeline);
}

/** Departure somewhere after the minimum tenure, and at least two weeks before the cutoff. */
function depart(profile: RepProfile, fraction: number, timeline: WorldTimeline): void {
  const earliest = profile.startMs + MIN_TENURE_BEFORE_DEPARTURE_MS;
  const latest = timeline.cutoffMs - 14 * DAY_MS;
  if (earliest > latest) return;
  const departedMs = Math.floor((earliest + fraction * (latest - earliest)) / 1000) * 1000;
  profile.active = false;
  profile.endMs = departedMs;
  profile.user.isActive = false;
  profile.user.modifiedAt = new Date(departedMs).toISOString();
}

/** Splits `total` into groups of min–max (the last group absorbs a remainder too small to stand alone). */
function partition(random: Random, total: number, size: { min: number; max: number }): number[] {
  const groups: number[] = [];
  let remaining = total;
  while (remaining > 0) {
    let group = Math.min(remaining, random.int(size.min, size.max));
    if (remaining - group > 0 && remaining - group < Math.ceil(size.min / 2)) group = remaining;
    groups.push(group);
    remaining -= group;
  }
  return groups;
}
