import type { SalesforceConnectionConfig } from '../../src/config.ts';
import type { StageContext } from '../../src/stage.ts';
import type { DoctorCheck } from '../types.ts';
import { SALESFORCE_CATALOG } from './catalog.ts';
import { classifySalesforceError } from './classify-error.ts';
import { openSalesforceSession, type SalesforceSession } from './session.ts';

interface Limits {
  DailyApiRequests?: { Max: number; Remaining: number };
  DailyBulkV2QueryJobs?: { Max: number; Remaining: number };
}

/**
 * `attain doctor` for Salesforce: can we log in, which objects and fields can the integration
 * user read (and how many records each holds), do the configured fields exist, how much of the
 * daily API limit is left. Reads only; costs about one call per object.
 */
export async function diagnoseSalesforce(ctx: StageContext): Promise<DoctorCheck[]> {
  const connection = ctx.connection as SalesforceConnectionConfig;
  const checks: DoctorCheck[] = [];
  let session: SalesforceSession;
  try {
    session = await openSalesforceSession(ctx, { refreshDescribe: true });
  } catch (error) {
    checks.push({ name: 'auth', status: 'fail', detail: (error as Error).message });
    return checks;
  }
  const { conn } = session.api;
  checks.push({
    name: 'auth',
    status: 'ok',
    detail: `logged in with the ${connection.salesforce.flow} flow to ${conn.instanceUrl} (API v${conn.version})`,
  });

  const available = await session.describe.objectNames();
  const present: string[] = [];
  for (const entry of SALESFORCE_CATALOG) {
    const name = `object ${entry.name}`;
    if (!available.has(entry.name)) {
      const detail = entry.feature
        ? `not in this org (${entry.feature} is off): skipped`
        : 'not readable by the integration user';
      checks.push({ name, status: entry.feature ? 'warn' : 'fail', detail });
      continue;
    }
    present.push(entry.name);
    const query = await session.objectQuery(entry.name);
    const missing = entry.fields.filter((field) => !query.info.fields[field]);
    let count: string;
    try {
      const where = entry.where ? ` WHERE ${entry.where}` : '';
      const result = await session.api.get<{ totalSize: number }>(
        `/query?q=${encodeURIComponent(`SELECT COUNT() FROM ${entry.name}${where}`)}`,
      );
      count = `${result.totalSize.toLocaleString('en-US')} records`;
    } catch (error) {
      checks.push({
        name,
        status: 'fail',
        detail: `cannot be queried: ${classifySalesforceError(error).message}`,
      });
      continue;
    }
    checks.push(
      missing.length === 0
        ? { name, status: 'ok', detail: `readable, ${count}` }
        : {
            name,
            status: 'warn',
            detail: `readable, ${count}; fields not visible to the integration user: ${missing.join(', ')}`,
          },
    );
  }
  for (const issue of await session.configuredFieldIssues(present)) {
    checks.push({ name: 'configured field', status: 'fail', detail: `${issue.path}: ${issue.message}` });
  }

  try {
    const limits = await session.api.get<Limits>('/limits');
    const daily = limits.DailyApiRequests;
    if (daily) {
      const used = daily.Max - daily.Remaining;
      const share = daily.Max > 0 ? used / daily.Max : 1;
      checks.push({
        name: 'API budget',
        status: share >= connection.sync.maxDailyApiShare ? 'warn' : 'ok',
        detail:
          `${used.toLocaleString('en-US')} of ${daily.Max.toLocaleString('en-US')} daily API requests used (${Math.round(share * 100)}%); ` +
          `syncs stop at ${Math.round(connection.sync.maxDailyApiShare * 100)}%`,
      });
    }
    const bulk = limits.DailyBulkV2QueryJobs;
    if (bulk) {
      checks.push({
        name: 'Bulk API 2.0',
        status: bulk.Remaining > 0 ? 'ok' : 'warn',
        detail: `${bulk.Remaining.toLocaleString('en-US')} of ${bulk.Max.toLocaleString('en-US')} daily query jobs left`,
      });
    }
  } catch (error) {
    checks.push({
      name: 'API budget',
      status: 'warn',
      detail: `could not read /limits: ${(error as Error).message}`,
    });
  }
  return checks;
}
