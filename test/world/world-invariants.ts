import { DateTime } from 'luxon';
import { fiscalPeriods } from '../../connectors/world/generate.ts';
import { STAGES, type World } from '../../connectors/world/types.ts';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const HOUR_MS = 3_600_000;
const SUBMITTED = new Set(['presented', 'accepted', 'denied']);

/** Every rule types.ts and the generator promise, checked record by record; returns the violations (at most 50). */
export function worldViolations(world: World): string[] {
  const problems: string[] = [];
  const fail = (message: string) => {
    if (problems.length < 50) problems.push(message);
  };
  const { options, org } = world;
  const nowMs = Date.parse(options.now);
  const cutoffMs = nowMs - HOUR_MS;
  const localDate = (instant: string) =>
    DateTime.fromISO(instant, { zone: options.timezone }).toFormat('yyyy-MM-dd');
  const today = localDate(options.now);
  const currentYear = fiscalPeriods(org, today, today)[0];
  const spanStart = DateTime.fromISO(currentYear?.startDate ?? '', { zone: 'utc' })
    .minus({ years: 2 })
    .toISODate();
  const quarters = fiscalPeriods(org, spanStart ?? '', currentYear?.endDate ?? '').filter(
    (p) => p.type === 'quarter',
  );
  const months = fiscalPeriods(org, spanStart ?? '', currentYear?.endDate ?? '').filter(
    (p) => p.type === 'month',
  );
  const currentQuarterIndex = quarters.findIndex((q) => q.startDate <= today && today <= q.endDate);
  const nextQuarterEnd = fiscalPeriods(
    org,
    today,
    DateTime.fromISO(today).plus({ months: 3 }).toISODate() ?? '',
  ).filter((p) => p.type === 'quarter')[1]?.endDate;
  const spanStartMs = DateTime.fromISO(spanStart ?? '', { zone: options.timezone }).toMillis();

  const checkStamps = (
    kind: string,
    record: { key: number; createdAt: string; modifiedAt: string; deletedAt?: string | null },
  ) => {
    const where = `${kind} ${record.key}`;
    for (const instant of [record.createdAt, record.modifiedAt, record.deletedAt ?? record.createdAt])
      if (!INSTANT.test(instant)) fail(`${where}: bad instant ${instant}`);
    if (record.modifiedAt < record.createdAt) fail(`${where}: modified before created`);
    if (Date.parse(record.modifiedAt) > cutoffMs) fail(`${where}: modified after now − 1h`);
    if (record.deletedAt) {
      if (record.deletedAt > record.modifiedAt) fail(`${where}: deleted after last modification`);
      if (record.deletedAt < record.createdAt) fail(`${where}: deleted before created`);
    }
  };
  const checkKeys = (kind: string, records: ReadonlyArray<{ key: number }>) => {
    records.forEach((record, index) => {
      if (record.key !== index + 1)
        fail(`${kind}: key ${record.key} at position ${index} (keys must be 1..n in order)`);
    });
  };
  const isDate = (date: string) => DATE.test(date) && DateTime.fromISO(date).isValid;

  // Users and hierarchy.
  const users = new Map(world.users.map((user) => [user.key, user]));
  checkKeys('user', world.users);
  if (new Set(world.users.map((user) => user.email.toLowerCase())).size !== world.users.length)
    fail('user emails not unique');
  for (const user of world.users) {
    checkStamps('user', user);
    const manager = user.managerKey === null ? null : users.get(user.managerKey);
    const expected = { rep: 'manager', manager: 'director', director: null, admin: null, integration: null }[
      user.role
    ];
    if ((manager?.role ?? null) !== expected)
      fail(`user ${user.key} (${user.role}) reports to ${manager?.role ?? 'nobody'}`);
    if (!user.isActive && user.role !== 'rep') fail(`user ${user.key}: only reps depart`);
    if (user.role === 'rep' && user.team !== manager?.team)
      fail(`rep ${user.key} is not on its manager's team`);
  }
  const reps = world.users.filter((user) => user.role === 'rep');
  if (reps.length !== options.scale) fail(`${reps.length} reps for scale ${options.scale}`);
  const repKeys = new Set(reps.map((rep) => rep.key));
  const ownerOk = (key: number) => repKeys.has(key);
  const tenureStart = (key: number) => Math.max(spanStartMs, Date.parse(users.get(key)?.createdAt ?? ''));

  // Queues and currencies.
  checkKeys('queue', world.queues);
  if (world.queues.length < 2 || world.queues.length > 3) fail(`${world.queues.length} queues`);
  const queueKeys = new Set(world.queues.map((queue) => queue.key));
  const currencies = new Set(org.currencies.map((currency) => currency.code));
  if (
    org.homeCurrency !== 'USD' ||
    !org.currencies.some((c) => c.code === 'USD' && c.isCorporate && c.rate === 1)
  )
    fail('home currency is not USD at rate 1');
  const rateOn = (code: string, date: string) =>
    org.datedRates.find(
      (r) => r.code === code && r.startDate <= date && (r.nextStartDate === null || date < r.nextStartDate),
    );
  for (const code of currencies) {
    const ranges = org.datedRates.filter((r) => r.code === code);
    ranges.forEach((range, index) => {
      const next = ranges[index + 1];
      if (next && range.nextStartDate !== next.startDate)
        fail(`${code} dated rates have a gap at ${range.nextStartDate}`);
      if (!next && range.nextStartDate !== null) fail(`${code}: last dated rate is not open-ended`);
    });
  }
  if (!org.multiCurrency && (org.datedRates.length > 0 || org.currencies.length !== 1))
    fail('single currency org has rates');

  // Leads.
  checkKeys('lead', world.leads);
  const leads = new Map(world.leads.map((lead) => [lead.key, lead]));
  const opportunities = new Map(world.opportunities.map((opportunity) => [opportunity.key, opportunity]));
  for (const lead of world.leads) {
    checkStamps('lead', lead);
    if ((lead.ownerUserKey === null) === (lead.ownerQueueKey === null))
      fail(`lead ${lead.key}: not exactly one owner`);
    if (lead.ownerUserKey !== null && !ownerOk(lead.ownerUserKey))
      fail(`lead ${lead.key}: owner is not a rep`);
    if (lead.ownerQueueKey !== null && !queueKeys.has(lead.ownerQueueKey))
      fail(`lead ${lead.key}: unknown queue`);
    if (lead.ownerQueueKey !== null && lead.status === 'converted')
      fail(`lead ${lead.key}: queue-owned yet converted`);
    if ((lead.status === 'converted') !== (lead.convertedOn !== null))
      fail(`lead ${lead.key}: convertedOn vs status`);
    if (
      lead.convertedOn !== null &&
      (!isDate(lead.convertedOn) || lead.convertedOn < localDate(lead.createdAt))
    )
      fail(`lead ${lead.key}: bad convertedOn ${lead.convertedOn}`);
    if (Date.parse(lead.createdAt) < spanStartMs) fail(`lead ${lead.key}: created before the span`);
    if (lead.convertedOpportunityKey !== null) {
      const opportunity = opportunities.get(lead.convertedOpportunityKey);
      if (lead.status !== 'converted') fail(`lead ${lead.key}: opportunity without conversion`);
      if (opportunity?.convertedFromLeadKey !== lead.key)
        fail(`lead ${lead.key}: opportunity does not point back`);
      if (opportunity && localDate(opportunity.createdAt) !== lead.convertedOn)
        fail(`lead ${lead.key}: opportunity not created on the conversion date`);
    }
  }

  // Activities.
  const linkOk = (leadKey: number | null, opportunityKey: number | null) =>
    (leadKey === null || leads.has(leadKey)) &&
    (opportunityKey === null || opportunities.has(opportunityKey));
  checkKeys('call', world.calls);
  for (const call of world.calls) {
    checkStamps('call', call);
    if (!ownerOk(call.ownerUserKey)) fail(`call ${call.key}: owner is not a rep`);
    if (!linkOk(call.leadKey, call.opportunityKey)) fail(`call ${call.key}: dangling link`);
    if (!INSTANT.test(call.at)) fail(`call ${call.key}: bad at`);
    if (call.status === 'completed') {
      if (call.outcome === null || call.durationSeconds === null)
        fail(`call ${call.key}: completed without outcome`);
      if (Date.parse(call.at) > cutoffMs) fail(`call ${call.key}: completed in the future`);
      if (Date.parse(call.at) < tenureStart(call.ownerUserKey))
        fail(`call ${call.key}: before its owner's tenure`);
    } else if (call.outcome !== null || call.durationSeconds !== null)
      fail(`call ${call.key}: planned with outcome`);
  }
  checkKeys('email', world.emails);
  for (const email of world.emails) {
    checkStamps('email', email);
    if (!ownerOk(email.ownerUserKey)) fail(`email ${email.key}: owner is not a rep`);
    if (!linkOk(email.leadKey, email.opportunityKey)) fail(`email ${email.key}: dangling link`);
    if (!INSTANT.test(email.sentAt) || Date.parse(email.sentAt) > cutoffMs)
      fail(`email ${email.key}: bad sentAt`);
    if (email.direction === 'inbound' && email.leadKey === null && email.opportunityKey === null)
      fail(`email ${email.key}: inbound reply to nothing`);
  }
  checkKeys('meeting', world.meetings);
  for (const meeting of world.meetings) {
    checkStamps('meeting', meeting);
    if (!ownerOk(meeting.ownerUserKey)) fail(`meeting ${meeting.key}: owner is not a rep`);
    if (!linkOk(null, meeting.opportunityKey)) fail(`meeting ${meeting.key}: dangling link`);
    if (!INSTANT.test(meeting.startAt) || !INSTANT.test(meeting.endAt) || meeting.endAt <= meeting.startAt)
      fail(`meeting ${meeting.key}: bad times`);
    if (Date.parse(meeting.startAt) > nowMs && meeting.outcome !== 'scheduled')
      fail(`meeting ${meeting.key}: future yet ${meeting.outcome}`);
    if (['completed', 'no_show'].includes(meeting.outcome) && Date.parse(meeting.endAt) > cutoffMs)
      fail(`meeting ${meeting.key}: held in the future`);
    const invitees = meeting.inviteeUserKeys;
    if (
      new Set(invitees).size !== invitees.length ||
      invitees.some((key) => key === meeting.ownerUserKey || !users.has(key))
    )
      fail(`meeting ${meeting.key}: bad invitees ${invitees.join(',')}`);
  }

  // Opportunities, line items, quotes.
  const stages = new Map(STAGES.map((stage) => [stage.key, stage]));
  const liveLines = new Map<number, World['opportunityLineItems']>();
  checkKeys('opportunityLineItem', world.opportunityLineItems);
  for (const line of world.opportunityLineItems) {
    checkStamps('opportunityLineItem', line);
    checkPrice(`opportunityLineItem ${line.key}`, line, fail);
    if (!opportunities.has(line.opportunityKey)) fail(`line ${line.key}: dangling opportunity`);
    if (line.deletedAt === null)
      liveLines.set(line.opportunityKey, [...(liveLines.get(line.opportunityKey) ?? []), line]);
  }
  checkKeys('opportunity', world.opportunities);
  for (const opportunity of world.opportunities) {
    const where = `opportunity ${opportunity.key}`;
    checkStamps('opportunity', opportunity);
    const stage = stages.get(opportunity.stage);
    if (!stage) {
      fail(`${where}: unknown stage`);
      continue;
    }
    if (!ownerOk(opportunity.ownerUserKey)) fail(`${where}: owner is not a rep`);
    if (opportunity.probability !== stage.probability) fail(`${where}: probability is not the stage's`);
    if (stage.isClosed && opportunity.forecastCategory !== stage.defaultForecastCategory)
      fail(`${where}: closed forecast category`);
    if (!stage.isClosed && ![stage.defaultForecastCategory, 'omitted'].includes(opportunity.forecastCategory))
      fail(`${where}: open forecast category ${opportunity.forecastCategory}`);
    if (!isDate(opportunity.closeDate)) fail(`${where}: bad close date`);
    if (!currencies.has(opportunity.currency)) fail(`${where}: unknown currency`);
    if (
      org.multiCurrency &&
      !rateOn(opportunity.currency, opportunity.closeDate) &&
      opportunity.currency !== 'USD'
    )
      fail(`${where}: no dated rate on ${opportunity.closeDate}`);
    const rate = org.currencies.find((c) => c.code === opportunity.currency)?.rate ?? 1;
    if (opportunity.amount !== null) {
      if (!isCents(opportunity.amount)) fail(`${where}: amount not in cents`);
      const usd = opportunity.amount / rate;
      if (usd < 4_999 || usd > 250_001)
        fail(`${where}: amount ${opportunity.amount} ${opportunity.currency} out of range`);
    }
    const lines = liveLines.get(opportunity.key) ?? [];
    if (
      lines.length > 0 &&
      opportunity.amount !== roundCents(lines.reduce((sum, line) => sum + line.totalPrice, 0))
    )
      fail(`${where}: amount is not the sum of its line items`);
    if (lines.length > 4) fail(`${where}: ${lines.length} line items`);
    if (Date.parse(opportunity.createdAt) < spanStartMs) fail(`${where}: created before the span`);
    if (stage.isClosed) {
      const cycle = DateTime.fromISO(opportunity.closeDate).diff(
        DateTime.fromISO(localDate(opportunity.createdAt)),
        'days',
      ).days;
      if (cycle > 182) fail(`${where}: cycle of ${cycle} days`);
      if (opportunity.closeDate > today) fail(`${where}: closed in the future`);
    } else {
      const owner = users.get(opportunity.ownerUserKey);
      if (!owner?.isActive) fail(`${where}: open deal of a departed rep`);
      const currentQuarterStart = quarters[currentQuarterIndex]?.startDate ?? '';
      if (
        opportunity.closeDate < currentQuarterStart ||
        (nextQuarterEnd && opportunity.closeDate > nextQuarterEnd)
      )
        fail(`${where}: open deal closing ${opportunity.closeDate}, outside the current and next quarter`);
    }
    if (opportunity.convertedFromLeadKey !== null) {
      const lead = leads.get(opportunity.convertedFromLeadKey);
      if (lead?.convertedOpportunityKey !== opportunity.key) fail(`${where}: lead does not point back`);
      if (opportunity.type !== 'new_business') fail(`${where}: converted lead is not new business`);
    }
  }
  checkKeys('quote', world.quotes);
  const quotes = new Map(world.quotes.map((quote) => [quote.key, quote]));
  const quotesByOpportunity = new Map<number, World['quotes']>();
  for (const quote of world.quotes) {
    checkStamps('quote', quote);
    const opportunity = opportunities.get(quote.opportunityKey);
    if (!opportunity) {
      fail(`quote ${quote.key}: dangling opportunity`);
      continue;
    }
    if (quote.currency !== opportunity.currency)
      fail(`quote ${quote.key}: currency differs from its opportunity`);
    if (!isDate(quote.expirationDate) || quote.expirationDate <= localDate(quote.createdAt))
      fail(`quote ${quote.key}: expiration`);
    if (quote.createdAt < opportunity.createdAt) fail(`quote ${quote.key}: created before its opportunity`);
    if (quote.deletedAt && opportunity.deletedAt === null && (quote.status === 'accepted' || quote.isSyncing))
      fail(`quote ${quote.key}: deleted accepted/syncing quote of a live opportunity`);
    quotesByOpportunity.set(quote.opportunityKey, [
      ...(quotesByOpportunity.get(quote.opportunityKey) ?? []),
      quote,
    ]);
  }
  const quoteLines = new Map<number, World['quoteLineItems']>();
  checkKeys('quoteLineItem', world.quoteLineItems);
  for (const line of world.quoteLineItems) {
    checkStamps('quoteLineItem', line);
    checkPrice(`quoteLineItem ${line.key}`, line, fail);
    const quote = quotes.get(line.quoteKey);
    if (!quote) fail(`quote line ${line.key}: dangling quote`);
    else if (quote.deletedAt !== null && line.deletedAt === null)
      fail(`quote line ${line.key}: alive under a deleted quote`);
    if (line.deletedAt === null)
      quoteLines.set(line.quoteKey, [...(quoteLines.get(line.quoteKey) ?? []), line]);
  }
  for (const [opportunityKey, list] of quotesByOpportunity) {
    const opportunity = opportunities.get(opportunityKey);
    const live = list.filter((quote) => quote.deletedAt === null);
    const submitted = live.filter((quote) => SUBMITTED.has(quote.status));
    if (list.filter((quote) => quote.isSyncing).length > 1)
      fail(`opportunity ${opportunityKey}: several syncing quotes`);
    if (
      opportunity?.stage === 'closed_won' &&
      (submitted.length !== 1 || submitted[0]?.status !== 'accepted')
    )
      fail(`won opportunity ${opportunityKey}: submitted quotes ${submitted.map((q) => q.status).join(',')}`);
    if (opportunity?.stage !== 'closed_won' && list.some((quote) => quote.status === 'accepted'))
      fail(`opportunity ${opportunityKey} (${opportunity?.stage}): accepted quote`);
    const syncing = list.find((quote) => quote.isSyncing);
    if (syncing && opportunity?.deletedAt === null) {
      const mirror = (
        lines: ReadonlyArray<World['quoteLineItems'][number] | World['opportunityLineItems'][number]>,
      ) =>
        lines.map((line) => [
          line.productCode,
          line.quantity,
          line.listPrice,
          line.unitPrice,
          line.discountPercent,
          line.totalPrice,
        ]);
      if (
        JSON.stringify(mirror(quoteLines.get(syncing.key) ?? [])) !==
        JSON.stringify(mirror(liveLines.get(opportunityKey) ?? []))
      )
        fail(`opportunity ${opportunityKey}: syncing quote does not mirror its line items`);
    }
  }
  // Children of a deleted opportunity are deleted with it.
  for (const opportunity of world.opportunities.filter((o) => o.deletedAt !== null)) {
    const orphans = [
      ...world.opportunityLineItems.filter((line) => line.opportunityKey === opportunity.key),
      ...(quotesByOpportunity.get(opportunity.key) ?? []),
      ...world.calls.filter((call) => call.opportunityKey === opportunity.key),
      ...world.emails.filter((email) => email.opportunityKey === opportunity.key),
      ...world.meetings.filter((meeting) => meeting.opportunityKey === opportunity.key),
    ].filter((child) => child.deletedAt === null);
    if (orphans.length > 0)
      fail(`deleted opportunity ${opportunity.key} has ${orphans.length} live children`);
  }

  // Quotas: one period type per rep, on fiscal boundaries, every period of the rep's tenure.
  checkKeys('quota', world.quotas);
  const quotasByRep = new Map<number, World['quotas']>();
  for (const quota of world.quotas) {
    checkStamps('quota', quota);
    if (!ownerOk(quota.userKey)) fail(`quota ${quota.key}: not a rep's`);
    const perQuarter = quota.periodType === 'month' ? quota.amount * 3 : quota.amount;
    if (!isCents(quota.amount) || perQuarter < 24_999.99 || perQuarter > 400_000.01)
      fail(`quota ${quota.key}: amount ${quota.amount}`);
    quotasByRep.set(quota.userKey, [...(quotasByRep.get(quota.userKey) ?? []), quota]);
  }
  for (const rep of reps) {
    const list = quotasByRep.get(rep.key) ?? [];
    const types = new Set(list.map((quota) => quota.periodType));
    if (types.size !== 1) {
      fail(`rep ${rep.key}: quota period types ${[...types].join(',')}`);
      continue;
    }
    const periods = types.has('month') ? months : quarters;
    const startDate = localDate(new Date(Math.max(spanStartMs, Date.parse(rep.createdAt))).toISOString());
    const endDate = rep.isActive ? (currentYear?.endDate ?? '') : localDate(rep.modifiedAt);
    const expected = periods
      .filter((period) => period.endDate >= startDate && period.startDate <= endDate)
      .map((period) => `${period.startDate}..${period.endDate}`);
    const actual = list.map((quota) => `${quota.periodStart}..${quota.periodEnd}`);
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      fail(`rep ${rep.key}: quota periods ${actual.join(' ')}`);
  }
  return problems;
}

function checkPrice(
  where: string,
  line: {
    quantity: number;
    listPrice: number;
    unitPrice: number;
    discountPercent: number | null;
    totalPrice: number;
  },
  fail: (message: string) => void,
): void {
  if (!(line.quantity > 0)) fail(`${where}: quantity ${line.quantity}`);
  if (line.unitPrice > line.listPrice || line.unitPrice <= 0)
    fail(`${where}: unit price ${line.unitPrice} vs list ${line.listPrice}`);
  if (line.discountPercent !== null && (line.discountPercent <= 0 || line.discountPercent >= 100))
    fail(`${where}: discount ${line.discountPercent}`);
  const expected = roundCents(line.unitPrice * line.quantity * (1 - (line.discountPercent ?? 0) / 100));
  if (line.totalPrice !== expected) fail(`${where}: total ${line.totalPrice}, expected ${expected}`);
  if (![line.listPrice, line.unitPrice, line.totalPrice].every(isCents))
    fail(`${where}: prices not in cents`);
}

function roundCents(amount: number): number {
  return Math.round((amount + Number.EPSILON * Math.abs(amount)) * 100) / 100;
}

function isCents(amount: number): boolean {
  return Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-6;
}
