import { describe, expect, it } from 'vitest';
import type { FlowJob } from 'bullmq';
import { JOB_PAYLOAD_SCHEMAS } from '../../jobs/catalog.ts';
import { digestJobId, extractJobId, runJobId, slotKey } from '../../jobs/job-ids.ts';
import { QUEUE_NAMES, type QueueName } from '../../jobs/queues.ts';
import { buildRunFlow } from '../../jobs/run-flow.ts';
import { SALESFORCE_CATALOG } from '../../connectors/salesforce/catalog.ts';
import { isSecretKey } from '../../src/secrets.ts';
import { salesforceTestConfig } from '../support/stage-context.ts';

const SLOT = new Date('2026-11-22T10:15:00.000Z');
const SECRET = 'client-secret-value-8231';

const config = salesforceTestConfig({
  id: 'sf-prod',
  connection: {
    salesforce: {
      flow: 'password',
      loginUrl: 'https://login.example.com',
      clientId: 'client-id',
      clientSecret: SECRET,
      username: 'integration@acme.test',
      password: 'user-password-9917',
    },
  },
});

function nodes(flow: FlowJob): FlowJob[] {
  return [flow, ...(flow.children ?? []).flatMap((child) => nodes(child as FlowJob))];
}

describe('job payloads', () => {
  it('declare no secret-looking field and reject any key they do not declare', () => {
    const every = {
      connectionId: 'sf',
      slot: SLOT.toISOString(),
      kind: 'sync',
      object: 'Opportunity',
      asOf: '2026-11-22',
      schedule: 'weekly',
    };
    for (const queue of QUEUE_NAMES) {
      const schema = JOB_PAYLOAD_SCHEMAS[queue];
      expect(Object.keys(schema.shape).filter(isSecretKey), queue).toEqual([]);
      const valid = Object.fromEntries(Object.entries(every).filter(([name]) => name in schema.shape));
      expect(schema.safeParse(valid).success, queue).toBe(true);
      for (const key of [
        'clientSecret',
        'password',
        'accessToken',
        'refreshToken',
        'privateKey',
        'credentials',
      ]) {
        expect(schema.safeParse({ ...valid, [key]: 'x' }).success, `${queue} with ${key}`).toBe(false);
      }
    }
  });

  it('of a run flow carry ids and parameters only, never a credential from the config', () => {
    const flow = buildRunFlow(config, config.connections[0]!, SLOT, 'sync');
    const text = JSON.stringify(flow);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('user-password-9917');
    for (const node of nodes(flow)) {
      expect(JOB_PAYLOAD_SCHEMAS[node.queueName as QueueName].parse(node.data)).toEqual(node.data);
    }
  });
});

describe('a run flow', () => {
  it('is writeback ← kpis ← normalize ← one extract per connector object, failing upward', () => {
    const flow = buildRunFlow(config, config.connections[0]!, SLOT, 'full');
    expect(flow.queueName).toBe('writeback');
    const kpis = flow.children![0]!;
    const normalize = kpis.children![0]!;
    expect([kpis.queueName, normalize.queueName]).toEqual(['kpis', 'normalize']);
    expect(normalize.children!.map((child) => child.data.object)).toEqual(
      SALESFORCE_CATALOG.map((o) => o.name),
    );
    for (const node of [kpis, normalize, ...normalize.children!])
      expect(node.opts?.failParentOnFailure).toBe(true);
    expect(kpis.data).toMatchObject({ kind: 'full', asOf: '2026-11-22' });
  });

  it('has the same job ids whoever builds it, none with ":" or all digits', () => {
    const first = nodes(buildRunFlow(config, config.connections[0]!, SLOT, 'sync')).map((n) => n.opts?.jobId);
    const again = nodes(buildRunFlow(config, config.connections[0]!, new Date(SLOT), 'sync')).map(
      (n) => n.opts?.jobId,
    );
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    for (const id of first) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    expect(first[0]).toBe(runJobId('sf-prod', SLOT));
    expect(first).toContain(extractJobId('sf-prod', 'Opportunity', SLOT));
  });

  it('names slots compactly, to the second', () => {
    expect(slotKey(SLOT)).toBe('20261122T101500Z');
    expect(runJobId('sf-prod', SLOT)).toBe('writeback-sf-prod-20261122T101500Z');
    expect(digestJobId('weekly-managers', SLOT)).toBe('digest-weekly-managers-20261122T101500Z');
  });
});
