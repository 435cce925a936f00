import type { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubSpotEmulator, type HubSpotEmulator } from '../../../connectors/hubspot/emulator/emulator.ts';
import { clientFor, failure } from './client.ts';

describe('HubSpot emulator: owners, pipelines, properties, schemas and associations', () => {
  let emulator: HubSpotEmulator;
  let client: Client;

  beforeAll(async () => {
    emulator = await startHubSpotEmulator({
      seed: 12,
      scale: 8,
      now: '2026-03-15T15:20:00Z',
      requestsPer10s: 100_000,
    });
    client = clientFor(emulator);
  });

  afterAll(async () => {
    await emulator.stop();
  });

  it('lists owners (trailing slash), deactivated ones only with archived=true, and finds one by user id', async () => {
    const active = await client.crm.owners.ownersApi.getPage(undefined, undefined, 500, false);
    const archived = await client.crm.owners.ownersApi.getPage(undefined, undefined, 500, true);
    expect(emulator.store.requestLog.entries().at(-1)!.path).toBe('/crm/v3/owners/');
    expect(active.results.length + archived.results.length).toBe(emulator.store.owners.size);
    expect(archived.results.length).toBeGreaterThan(0);
    for (const departed of archived.results) {
      expect(departed.userId).toBeUndefined();
      expect(departed.userIdIncludingInactive).toBeGreaterThan(0);
    }
    expect(active.results.some((owner) => owner.type === 'QUEUE')).toBe(true);
    const person = active.results.find((owner) => owner.teams!.some((team) => team.primary))!;
    const byUser = await client.crm.owners.ownersApi.getById(person.userId!, 'userId');
    expect(byUser.id).toBe(person.id);
    expect(byUser.teams).toEqual(person.teams);
  });

  it('serves pipelines with string stage metadata, and their stages', async () => {
    const pipelines = await client.crm.pipelines.pipelinesApi.getAll('deals');
    const stages = pipelines.results[0]!.stages;
    expect(stages.find((stage) => stage.id === 'closedwon')!.metadata).toEqual({
      isClosed: 'true',
      probability: '1.0',
    });
    expect(stages.find((stage) => stage.id === 'closedlost')!.metadata).toEqual({
      isClosed: 'true',
      probability: '0.0',
    });
    const viaStages = await client.crm.pipelines.pipelineStagesApi.getAll('deals', 'default');
    expect(viaStages.results.map((stage) => stage.id)).toEqual(stages.map((stage) => stage.id));
    const leads = await client.crm.pipelines.pipelinesApi.getAll('leads');
    expect(leads.results[0]!.id).toBe('lead-pipeline-id');
  });

  it('serves every property with options, creates groups and properties (201), 409 on a duplicate', async () => {
    const calls = await client.crm.properties.coreApi.getAll('calls');
    const disposition = calls.results.find((property) => property.name === 'hs_call_disposition')!;
    expect(disposition.options.find((option) => option.label === 'Connected')!.value).toBe(
      'f240bbac-87c9-4f6e-bf70-924b57d47db7',
    );
    expect((await failure(client.crm.properties.coreApi.getByName('deals', 'kpi_value'))).code).toBe(404);
    await client.crm.properties.groupsApi.create('deals', {
      name: 'kpi_sync',
      label: 'KPI sync',
      displayOrder: -1,
    });
    const created = await client.crm.properties.coreApi.create('deals', {
      name: 'kpi_value',
      label: 'KPI value',
      type: 'number' as never,
      fieldType: 'number' as never,
      groupName: 'kpi_sync',
    });
    expect(created).toMatchObject({ name: 'kpi_value', groupName: 'kpi_sync', hubspotDefined: false });
    const again = await failure(
      client.crm.properties.coreApi.create('deals', {
        name: 'kpi_value',
        label: 'x',
        type: 'number' as never,
        fieldType: 'number' as never,
        groupName: 'kpi_sync',
      }),
    );
    expect(again.code).toBe(409);
  });

  it('creates custom object schemas (201) reachable by type id, fully qualified name and p_ name; upserts by a unique property', async () => {
    const schema = await client.crm.schemas.coreApi.create({
      name: 'scorecard',
      labels: { singular: 'Scorecard', plural: 'Scorecards' },
      primaryDisplayProperty: 'key',
      requiredProperties: ['key'],
      properties: [{ name: 'key', label: 'Key', type: 'string', fieldType: 'text', hasUniqueValue: true }],
      associatedObjects: [],
    } as never);
    expect(schema).toMatchObject({ objectTypeId: '2-1', fullyQualifiedName: 'p4242_scorecard' });
    expect(
      (
        await failure(
          client.crm.schemas.coreApi.create({
            name: 'scorecard',
            labels: { singular: 'a', plural: 'b' },
            primaryDisplayProperty: 'key',
            properties: [{ name: 'key', label: 'Key', type: 'string', fieldType: 'text' }],
          } as never),
        )
      ).code,
    ).toBe(409);
    for (const name of ['2-1', 'p4242_scorecard', 'p_scorecard', 'scorecard'])
      expect((await client.crm.schemas.coreApi.getById(name)).objectTypeId).toBe('2-1');

    const first = await client.crm.objects.batchApi.upsert('p_scorecard', {
      inputs: [{ idProperty: 'key', id: 'owner-1', properties: {} }],
    });
    expect(first.results[0]!._new).toBe(true);
    const second = await client.crm.objects.batchApi.upsert('p4242_scorecard', {
      inputs: [{ idProperty: 'key', id: 'owner-1', properties: {} }],
    });
    expect(second.results[0]!._new).toBe(false);
    expect(second.results[0]!.id).toBe(first.results[0]!.id);
    // upsert needs a property with unique values to match on
    const notUnique = client.crm.objects.batchApi.upsert('2-1', {
      inputs: [{ idProperty: 'hs_object_id', id: '1', properties: {} }],
    });
    expect((await failure(notUnique)).code).toBe(400);
  });

  it('answers v4 association reads with numeric toObjectId; an input without any is a NO_ASSOCIATIONS_FOUND entry (207)', async () => {
    const truth = emulator.store.groundTruth('line_items').line_items as Array<{
      id: string;
      associations: Record<string, string[]>;
    }>;
    const line = truth.find((record) => (record.associations.deals ?? []).length > 0)!;
    const answer = await client.crm.associations.v4.batchApi.getPage('line_items', 'deals', {
      inputs: [{ id: line.id }, { id: '1' }],
    });
    expect(answer.results).toEqual([
      expect.objectContaining({
        _from: { id: line.id },
        to: [
          {
            toObjectId: Number(line.associations.deals![0]),
            associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 20, label: null }],
          },
        ],
      }),
    ]);
    expect((answer as unknown as { errors: Array<{ subCategory: string }> }).errors[0]!.subCategory).toBe(
      'crm.associations.NO_ASSOCIATIONS_FOUND',
    );
    const single = await client.crm.associations.v4.basicApi.getPage('line_items', line.id, 'deals');
    expect(single.results.map((entry) => String(entry.toObjectId))).toEqual(line.associations.deals);
  });

  it('serves goal targets read-only, and 403 MISSING_SCOPES for objects outside the portal’s tier', async () => {
    const goals = await client.crm.objects.goals.basicApi.getPage(5, undefined, [
      'hs_target_amount',
      'hs_assignee_user_id',
    ]);
    expect(goals.results[0]!.properties.hs_assignee_user_id).toMatch(/^\d+$/);
    expect((await failure(client.crm.objects.basicApi.create('goal_targets', { properties: {} }))).code).toBe(
      403,
    );
    emulator.store.features.quotes = false;
    try {
      const error = await failure(client.crm.objects.basicApi.getPage('quotes', 1));
      expect(error.code).toBe(403);
      expect(error.body.category).toBe('MISSING_SCOPES');
    } finally {
      emulator.store.features.quotes = true;
    }
  });
});
