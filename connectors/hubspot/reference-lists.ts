import type { ExtractPage, LandingRecord } from '../types.ts';
import type { HubSpotApi } from './hubspot-api.ts';

const OWNER_PAGE = 500;

/**
 * Every owner, active and deactivated (`archived=true` lists only the deactivated ones, who still
 * own their historical records). Landed as the owners API returns them; `archived` means inactive,
 * not deleted.
 */
export async function listOwners(api: HubSpotApi): Promise<Pick<ExtractPage, 'records' | 'rejected'>> {
  const records: LandingRecord[] = [];
  for (const archived of [false, true]) {
    let after: string | undefined;
    do {
      const page = await api.call(`owners list${archived ? ' (archived)' : ''}`, () =>
        api.apis.owners.getPage(undefined, after, OWNER_PAGE, archived),
      );
      for (const owner of page.results) {
        records.push({
          crmId: owner.id,
          modstamp: owner.updatedAt,
          isDeleted: false,
          data: {
            id: owner.id,
            email: owner.email ?? null,
            firstName: owner.firstName ?? null,
            lastName: owner.lastName ?? null,
            type: owner.type ?? 'PERSON',
            userId: owner.userId ?? null,
            userIdIncludingInactive: owner.userIdIncludingInactive ?? owner.userId ?? null,
            archived: owner.archived,
            teams: (owner.teams ?? []).map((team) => ({
              id: team.id,
              name: team.name,
              primary: team.primary,
            })),
            createdAt: owner.createdAt.toISOString(),
            updatedAt: owner.updatedAt.toISOString(),
          },
        });
      }
      after = page.paging?.next?.after;
    } while (after);
  }
  return { records, rejected: [] };
}

/** The deal and lead pipelines with their stages; stage metadata decides won and lost. */
export async function listPipelines(api: HubSpotApi): Promise<Pick<ExtractPage, 'records' | 'rejected'>> {
  const records: LandingRecord[] = [];
  for (const objectType of ['deals', 'leads']) {
    let pipelines;
    try {
      pipelines = await api.call(`${objectType} pipelines`, () => api.apis.pipelines.getAll(objectType));
    } catch (error) {
      // A portal without the leads object has no lead pipelines; deals always have some.
      if (objectType === 'leads') continue;
      throw error;
    }
    for (const pipeline of pipelines.results) {
      records.push({
        crmId: `${objectType}:${pipeline.id}`,
        // Stage edits need not bump the pipeline's updatedAt: compare the content instead.
        modstamp: null,
        isDeleted: pipeline.archived,
        data: {
          objectType,
          id: pipeline.id,
          label: pipeline.label,
          archived: pipeline.archived,
          stages: pipeline.stages.map((stage) => ({
            id: stage.id,
            label: stage.label,
            archived: stage.archived,
            metadata: stage.metadata,
          })),
        },
      });
    }
  }
  return { records, rejected: [] };
}

/** Ids of `object` records archived at or after `since` (the archived list cannot filter by date). */
export async function listArchivedSince(api: HubSpotApi, object: string, since: Date): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await api.call(`archived ${object}`, () =>
      api.apis.objects.basicApi.getPage(object, 100, after, ['hs_object_id'], undefined, undefined, true),
    );
    for (const record of page.results)
      if (!record.archivedAt || record.archivedAt.getTime() >= since.getTime()) ids.push(record.id);
    after = page.paging?.next?.after;
  } while (after);
  return ids;
}
