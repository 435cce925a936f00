import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { streamWorld } from '../../world/generate.ts';
import type { WorldHeader } from '../../world/types.ts';
import { Clock } from '../../emulator-kit/clock.ts';
import { EmulatorStore } from './emulator-store.ts';
import { checkShape, fixtureFeatures, loadFixture, readFixtureFile, type FixtureData } from './fixture.ts';
import { createEmulatorServer } from './http/server.ts';
import { DEFAULTS, resolveSettings, type SalesforceEmulatorOptions } from './options.ts';
import { OrgSchema } from './schema/org-schema.ts';
import { buildObjectDefs, type OrgFeatures } from './schema/sobject-defs.ts';
import type { FieldValue } from './store/sobject-record.ts';
import { WorldRenderer, type RenderedOrg } from './world-to-salesforce.ts';

/** What a client needs to connect; `loginUrl` and `instanceUrl` are both the emulator's base URL. */
export interface EmulatorCredentials {
  loginUrl: string;
  instanceUrl: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  refreshToken: string;
  /** A token issued at start (valid for tokenTtlSeconds), for clients that skip the OAuth flow. */
  accessToken: string;
}

export interface SalesforceEmulator {
  /** Base URL, `http://127.0.0.1:PORT`: the instance URL and the OAuth login URL. */
  url: string;
  credentials: EmulatorCredentials;
  /** The org and every control over it (the same controls as the /__emulator/ routes). */
  store: EmulatorStore;
  /** How long generating (or reading) and loading the org took, in milliseconds. */
  loadMs: number;
  /** Records loaded per object. */
  counts: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * Starts an emulated Salesforce org on 127.0.0.1: a generated world (seed, scale, now) rendered as
 * sObjects, or a `--data` fixture, behind the REST, Bulk 2.0 and OAuth wire protocol that the
 * unmodified jsforce client speaks (see README.md and docs/salesforce-api.md).
 */
export async function startSalesforceEmulator(
  options: SalesforceEmulatorOptions = {},
): Promise<SalesforceEmulator> {
  const settings = resolveSettings(options);
  const started = performance.now();
  const now = options.now ?? options.world?.options.now ?? new Date().toISOString();
  const clock = new Clock(new Date(now));
  const fixture = options.data
    ? checkShape(options.data, 'data')
    : options.dataFile
      ? readFixtureFile(options.dataFile)
      : null;
  const credentialOverrides = options.credentials ?? {};
  const username = credentialOverrides.username;
  const store = fixture
    ? loadFixtureOrg(fixture, options, settings, clock, username)
    : loadWorldOrg(options, now, settings, clock, username);
  const loadMs = performance.now() - started;

  let url = '';
  const server = createEmulatorServer(
    store,
    () => url,
    () => ({ url, credentials, org: store.org, settings: store.settings, counts: counts(store) }),
  );
  server.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials: EmulatorCredentials = {
    loginUrl: url,
    instanceUrl: url,
    clientId: store.credentials.clientId,
    clientSecret: store.credentials.clientSecret,
    username: store.credentials.username,
    password: store.credentials.password,
    refreshToken: store.credentials.refreshToken,
    accessToken: store.tokens.issue(store.org.integrationUserId),
  };
  return {
    url,
    credentials,
    store,
    loadMs,
    counts: counts(store),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function loadWorldOrg(
  options: SalesforceEmulatorOptions,
  now: string,
  settings: ReturnType<typeof resolveSettings>,
  clock: Clock,
  username: string | undefined,
): EmulatorStore {
  const stream = options.world
    ? { header: options.world as WorldHeader, books: () => [options.world!][Symbol.iterator]() }
    : streamWorld({
        seed: options.seed ?? DEFAULTS.seed,
        scale: options.scale ?? DEFAULTS.scale,
        now,
        ...(options.timezone ? { timezone: options.timezone } : {}),
        ...(options.fiscalYearStartMonth ? { fiscalYearStartMonth: options.fiscalYearStartMonth } : {}),
      });
  const features = resolveFeatures({ multiCurrency: stream.header.org.multiCurrency }, options.features);
  const schema = new OrgSchema(buildObjectDefs(features));
  // The sink runs only from renderHeader/renderBook, after `store` exists.
  const renderer = new WorldRenderer(stream.header, features, (object, record) =>
    store.records.load(object, record),
  );
  const store = createStore(schema, clock, renderer.org, settings, options, username);
  renderer.renderHeader();
  for (const book of stream.books()) renderer.renderBook(book);
  return store;
}

function loadFixtureOrg(
  data: FixtureData,
  options: SalesforceEmulatorOptions,
  settings: ReturnType<typeof resolveSettings>,
  clock: Clock,
  username: string | undefined,
): EmulatorStore {
  const features = resolveFeatures(fixtureFeatures(data), options.features);
  const schema = new OrgSchema(buildObjectDefs(features));
  const loaded: Array<[string, Record<string, FieldValue>]> = [];
  const org = loadFixture(data, schema, (object, record) => loaded.push([object, record]), {
    source: options.dataFile ?? 'data',
    nowMs: clock.nowMs(),
    username: username ?? 'integration@emulator.example',
  });
  const store = createStore(schema, clock, org, settings, options, username);
  for (const [object, record] of loaded) store.records.load(object, record);
  return store;
}

function createStore(
  schema: OrgSchema,
  clock: Clock,
  org: RenderedOrg,
  settings: ReturnType<typeof resolveSettings>,
  options: SalesforceEmulatorOptions,
  username: string | undefined,
): EmulatorStore {
  const store: EmulatorStore = new EmulatorStore({
    schema,
    clock,
    org,
    settings,
    credentials: {
      clientId: options.credentials?.clientId ?? DEFAULTS.clientId,
      clientSecret: options.credentials?.clientSecret ?? DEFAULTS.clientSecret,
      password: options.credentials?.password ?? DEFAULTS.password,
      refreshToken: options.credentials?.refreshToken ?? DEFAULTS.refreshToken,
      // Resolved lazily: the integration user's record is loaded after the store exists.
      get username() {
        return username ?? String(store.records.table('User').get(org.integrationUserId)?.Username ?? '');
      },
    },
  });
  return store;
}

function resolveFeatures(
  implied: Partial<OrgFeatures>,
  requested: Partial<OrgFeatures> | undefined,
): OrgFeatures {
  return { quotes: true, forecasting: true, multiCurrency: false, ...implied, ...requested };
}

function counts(store: EmulatorStore): Record<string, number> {
  return Object.fromEntries(
    store.records.objectNames().map((name) => [name, store.records.table(name).size]),
  );
}
