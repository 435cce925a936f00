import type { ActivityLog } from './activities.ts';
import type { BookContext } from './book-context.ts';
import { latestModification, softDelete } from './deletion.ts';
import { companyName, emailPart, personName, slug } from './names.ts';
import { Weighted } from './random.ts';
import { DAY_MS, daysMs } from './timeline.ts';
import type { LeadSource, WorldLead } from './types.ts';
import { iso, uniformInstant, workInstant } from './work-time.ts';

/** An opportunity to be created: from a lead conversion, or directly by the rep. */
export interface OpportunitySeed {
  createdMs: number;
  lead: WorldLead | null;
  leadSource: LeadSource | null;
  accountName: string;
  type: 'new_business' | 'existing_business';
}

export const LEAD_SOURCES = new Weighted<LeadSource | null>([
  ['web', 30],
  ['phone_inquiry', 8],
  ['partner_referral', 10],
  ['employee_referral', 6],
  ['purchased_list', 18],
  ['trade_show', 14],
  ['other', 8],
  [null, 6],
]);

/** Referrals convert best, purchased lists worst. */
const CONVERSION_RATE: Record<LeadSource | 'none', number> = {
  web: 0.29,
  phone_inquiry: 0.36,
  partner_referral: 0.46,
  employee_referral: 0.5,
  purchased_list: 0.1,
  trade_show: 0.25,
  other: 0.2,
  none: 0.15,
};
const LEADS_PER_REP = 50;
/** How long a rep keeps working an unresolved lead before it goes quiet. */
const LEAD_WORKING_DAYS = 45;

export interface LeadsResult {
  leads: WorldLead[];
  /** Opportunities the conversions create, in conversion order. */
  seeds: OpportunitySeed[];
  /** Companies that became customers' accounts (for existing-business deals). */
  accounts: string[];
}

/** The rep's leads in creation order, their activities, and the opportunities their conversions create. */
export function buildLeads(ctx: BookContext, log: ActivityLog): LeadsResult {
  const { random, timeline, rep } = ctx;
  const count = random.round(LEADS_PER_REP * ctx.volume);
  const createdTimes = Array.from({ length: count }, () =>
    workInstant(random, timeline.days, rep.startMs, rep.endMs, { evening: random.chance(0.08) }),
  ).sort((a, b) => a - b);
  const result: LeadsResult = { leads: [], seeds: [], accounts: [] };
  for (const createdMs of createdTimes) result.leads.push(buildLead(ctx, log, createdMs, result));
  return result;
}

function buildLead(ctx: BookContext, log: ActivityLog, createdMs: number, result: LeadsResult): WorldLead {
  const { random, timeline, rep, edges } = ctx;
  const { firstName, lastName } = personName(random);
  const company = companyName(random);
  const source = LEAD_SOURCES.sample(random);
  const lead: WorldLead = {
    key: ctx.keys.next('lead'),
    createdAt: iso(createdMs),
    modifiedAt: iso(createdMs),
    deletedAt: null,
    ownerUserKey: rep.key,
    ownerQueueKey: null,
    firstName,
    lastName,
    company,
    email: `${emailPart(firstName)}.${emailPart(lastName)}@${slug(company)}.example`,
    source,
    status: 'open',
    convertedOn: null,
    convertedOpportunityKey: null,
  };
  const mark = log.mark();
  if (edges.decide('queueOwnedLead', 0.03)) {
    // Waiting in a queue: nobody has worked it; a triager may have disqualified it.
    lead.ownerUserKey = null;
    lead.ownerQueueKey = random.pick(ctx.queues).key;
    if (random.chance(0.3)) {
      lead.status = 'not_converted';
      lead.modifiedAt = iso(
        uniformInstant(random, createdMs, Math.min(timeline.cutoffMs, createdMs + 20 * DAY_MS)),
      );
    }
  } else {
    const converting = random.chance(CONVERSION_RATE[source ?? 'none']);
    let resolvedMs: number | null = null;
    if (converting) resolvedMs = createdMs + daysMs(random.logNormal(12, 0.8, 1, 90));
    else if (random.chance(0.55)) resolvedMs = createdMs + daysMs(random.logNormal(10, 0.8, 1, 120));
    if (resolvedMs !== null && resolvedMs > rep.endMs) resolvedMs = null;
    const windowEndMs = resolvedMs ?? Math.min(rep.endMs, createdMs + LEAD_WORKING_DAYS * DAY_MS);
    const link = { leadKey: lead.key, opportunityKey: null };
    log.completedCalls(random.poisson(1.7), createdMs, windowEndMs, link);
    log.emailsBetween(random.poisson(1.25), createdMs, windowEndMs, link, 0.12);
    log.meetingsBetween(random.poisson(0.1), createdMs, windowEndMs, link);
    if (resolvedMs === null && rep.active && windowEndMs >= timeline.cutoffMs && random.chance(0.3))
      log.plannedCall(link, createdMs);
    if (resolvedMs !== null) {
      const resolvedAt = workInstant(
        random,
        timeline.days,
        resolvedMs - DAY_MS / 2,
        Math.min(resolvedMs, rep.endMs),
      );
      lead.modifiedAt = iso(Math.max(createdMs, resolvedAt));
      if (converting) convert(ctx, lead, Math.max(createdMs, resolvedAt), result);
      else lead.status = 'not_converted';
    } else {
      lead.status = log.countSince(mark) > 0 ? 'working' : 'open';
      lead.modifiedAt = latestModification(log.since(mark), lead.modifiedAt);
    }
  }
  if (lead.status !== 'converted' && edges.decide('deletedLead', 0.025)) {
    const latest = latestModification(log.since(mark), lead.modifiedAt);
    const deletedAt = iso(uniformInstant(random, Date.parse(latest), timeline.cutoffMs));
    softDelete([lead, ...log.since(mark)], deletedAt);
  }
  return lead;
}

function convert(ctx: BookContext, lead: WorldLead, convertedMs: number, result: LeadsResult): void {
  lead.status = 'converted';
  lead.convertedOn = ctx.timeline.days.dateOf(convertedMs);
  result.accounts.push(lead.company);
  if (ctx.edges.decide('leadConvertedWithoutOpportunity', 0.4)) return;
  result.seeds.push({
    createdMs: convertedMs,
    lead,
    leadSource: lead.source,
    accountName: lead.company,
    type: 'new_business',
  });
}
