import type { HubSpotConnectionConfig } from '../../src/config.ts';
import type { StageContext } from '../../src/stage.ts';
import type { DoctorCheck } from '../types.ts';
import { CRM_CATALOG } from './catalog.ts';
import { openHubSpotSession } from './session.ts';

/** Objects a portal lacks below some tier (or without a scope): a warning, not a failure. */
const TIER_OBJECTS = new Set(['leads', 'quotes', 'goal_targets']);

/**
 * `attain doctor` for HubSpot: is the token accepted, which objects can the app read (and how many
 * records each holds), do the mapped and configured properties exist, where will writeback go,
 * how much of the daily API limit is left. Reads only; about two calls per object.
 */
export async function diagnoseHubSpot(ctx: StageContext): Promise<DoctorCheck[]> {
  const connection = ctx.connection as HubSpotConnectionConfig;
  const session = await openHubSpotSession(ctx, { refreshSchema: true });
  const { api, metadata } = session;
  const checks: DoctorCheck[] = [];
  try {
    const owners = await api.call('owners list', () =>
      api.apis.owners.getPage(undefined, undefined, 1, false),
    );
    const portal = connection.hubspot.portalId ? ` (portal ${connection.hubspot.portalId})` : '';
    checks.push({
      name: 'auth',
      status: 'ok',
      detail: `token accepted by ${connection.hubspot.basePath}${portal}; ${owners.results.length > 0 ? 'owners readable' : 'no owners'}`,
    });
  } catch (error) {
    checks.push({ name: 'auth', status: 'fail', detail: (error as Error).message });
    return checks;
  }

  const present: string[] = [];
  for (const entry of CRM_CATALOG) {
    const name = `object ${entry.name}`;
    const found = await metadata.properties(entry.name);
    if (!found.available) {
      checks.push({
        name,
        status: TIER_OBJECTS.has(entry.name) ? 'warn' : 'fail',
        detail: `${found.reason}: skipped`,
      });
      continue;
    }
    present.push(entry.name);
    const counted = await api.call(
      `count of ${entry.name}`,
      () =>
        api.apis.objects.searchApi.doSearch(entry.name, { limit: 1, properties: ['hs_object_id'] } as never),
      { search: true },
    );
    const missing = entry.properties.filter(
      (property) => property !== 'hs_object_id' && !found.properties[property],
    );
    checks.push({
      name,
      status: 'ok',
      detail:
        `readable, ${counted.total.toLocaleString('en-US')} records` +
        (missing.length > 0 ? `; properties this portal lacks: ${missing.join(', ')}` : ''),
    });
  }
  for (const issue of await session.configuredPropertyIssues(present))
    checks.push({ name: 'configured property', status: 'fail', detail: `${issue.path}: ${issue.message}` });
  const { mapping } = connection;
  const leads = await metadata.properties('leads');
  if (leads.available) {
    for (const [option, property] of [
      ['leadConvertedDateProperty', mapping.leadConvertedDateProperty],
      ['leadSourceProperty', mapping.leadSourceProperty],
    ] as const) {
      if (property && !leads.properties[property])
        checks.push({
          name: 'mapped property',
          status: 'warn',
          detail: `mapping.${option}: leads.${property} does not exist, so its KPIs stay empty`,
        });
    }
  }

  const mode = await session.writeback.mode();
  checks.push({
    name: 'writeback target',
    status: 'ok',
    detail:
      mode === 'scorecard'
        ? `scorecard custom object ${connection.writeback.scorecardObject} (one record per owner)`
        : `properties on each rep's open deals (no custom objects in this portal)`,
  });

  const daily = session.apiUsage();
  if (daily) {
    const share = daily.used / daily.limit;
    checks.push({
      name: 'API budget',
      status: share >= connection.sync.maxDailyApiShare ? 'warn' : 'ok',
      detail:
        `${daily.used.toLocaleString('en-US')} of ${daily.limit.toLocaleString('en-US')} daily API calls used (${Math.round(share * 100)}%); ` +
        `syncs stop at ${Math.round(connection.sync.maxDailyApiShare * 100)}%`,
    });
  }
  return checks;
}
