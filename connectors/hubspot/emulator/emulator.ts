import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Clock } from '../../emulator-kit/clock.ts';
import { streamWorld } from '../../world/generate.ts';
import type { WorldHeader } from '../../world/types.ts';
import {
  checkShape,
  fixtureMultiCurrency,
  loadFixture,
  readFixtureFile,
  type FixtureData,
} from './fixture.ts';
import { createEmulatorServer } from './http/server.ts';
import {
  DEFAULTS,
  resolveSettings,
  type EmulatorSettings,
  type HubSpotEmulatorOptions,
  type PortalFeatures,
} from './options.ts';
import { PortalStore } from './portal-store.ts';
import type { PortalCurrencies } from './store/currency.ts';
import { WorldRenderer } from './world-to-hubspot.ts';

/** What a client needs to connect: `new Client({ accessToken, basePath })`. */
export interface EmulatorCredentials {
  basePath: string;
  accessToken: string;
  portalId: number;
}

export interface HubSpotEmulator {
  /** Base URL, `http://127.0.0.1:PORT`: the client's basePath. */
  url: string;
  credentials: EmulatorCredentials;
  /** The portal and every control over it (the same controls as the /__emulator/ routes). */
  store: PortalStore;
  /** How long generating (or reading) and loading the portal took, in milliseconds. */
  loadMs: number;
  /** Records loaded per object type, plus owners. */
  counts: Record<string, number>;
  stop(): Promise<void>;
}

/**
 * Starts an emulated HubSpot portal on 127.0.0.1: a generated world (seed, scale, now) rendered
 * as HubSpot CRM objects, or a `--data` fixture, behind the CRM v3/v4 wire protocol that the
 * unmodified @hubspot/api-client speaks (see README.md and docs/hubspot-api.md).
 */
export async function startHubSpotEmulator(options: HubSpotEmulatorOptions = {}): Promise<HubSpotEmulator> {
  const settings = resolveSettings(options);
  const started = performance.now();
  const now = options.now ?? options.world?.options.now ?? new Date().toISOString();
  const clock = new Clock(new Date(now));
  const fixture = options.data
    ? checkShape(options.data, 'data')
    : options.dataFile
      ? readFixtureFile(options.dataFile)
      : null;
  const store = fixture
    ? loadFixturePortal(fixture, options, settings, clock)
    : loadWorldPortal(options, now, settings, clock);
  const loadMs = performance.now() - started;

  let url = '';
  const server = createEmulatorServer(
    store,
    () => url,
    () => ({
      url,
      credentials,
      portal: store.portal,
      features: store.features,
      settings: store.settings,
      counts: counts(store),
    }),
  );
  server.listen(options.port ?? 0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const credentials: EmulatorCredentials = {
    basePath: url,
    accessToken: settings.accessTokens[0]!,
    portalId: settings.portalId,
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

function loadWorldPortal(
  options: HubSpotEmulatorOptions,
  now: string,
  settings: EmulatorSettings,
  clock: Clock,
): PortalStore {
  const stream = options.world
    ? { header: options.world as WorldHeader, books: () => [options.world!][Symbol.iterator]() }
    : streamWorld({
        seed: options.seed ?? DEFAULTS.seed,
        scale: options.scale ?? DEFAULTS.scale,
        now,
        ...(options.timezone ? { timezone: options.timezone } : {}),
        ...(options.fiscalYearStartMonth ? { fiscalYearStartMonth: options.fiscalYearStartMonth } : {}),
      });
  const { org, users } = stream.header;
  const createdAt = users.reduce((min, user) => (user.createdAt < min ? user.createdAt : min), now);
  const store = new PortalStore({
    clock,
    settings,
    portal: { portalId: settings.portalId, name: org.name, timezone: org.timezone, createdAt },
    currencies: {
      home: org.homeCurrency,
      rates: new Map(org.currencies.map((currency) => [currency.code, currency.rate])),
      dated: org.datedRates.map((rate) => ({ ...rate })),
    },
    features: resolveFeatures(org.multiCurrency, options.features),
  });
  const renderer = new WorldRenderer(store, stream.header);
  renderer.renderHeader();
  for (const book of stream.books()) renderer.renderBook(book);
  return store;
}

function loadFixturePortal(
  data: FixtureData,
  options: HubSpotEmulatorOptions,
  settings: EmulatorSettings,
  clock: Clock,
): PortalStore {
  const home = data.portal?.currency ?? 'USD';
  const currencies: PortalCurrencies = {
    home,
    rates: new Map([
      [home, 1],
      ...(data.portal?.currencies ?? []).map((c): [string, number] => [c.code, c.rate]),
    ]),
    dated: [],
  };
  const store = new PortalStore({
    clock,
    settings,
    portal: {
      portalId: settings.portalId,
      name: data.portal?.name ?? 'Fixture portal',
      timezone: data.portal?.timezone ?? options.timezone ?? 'America/New_York',
      createdAt: clock.now().toISOString(),
    },
    currencies,
    features: resolveFeatures(fixtureMultiCurrency(data), options.features),
  });
  loadFixture(data, store, options.dataFile ?? 'data');
  return store;
}

function resolveFeatures(
  multiCurrency: boolean,
  requested: Partial<PortalFeatures> | undefined,
): PortalFeatures {
  return { leads: true, quotes: true, goals: true, customObjects: true, multiCurrency, ...requested };
}

function counts(store: PortalStore): Record<string, number> {
  const result: Record<string, number> = { owners: store.owners.size };
  for (const type of store.objectTypes()) result[type.name] = store.table(type.name).size;
  return result;
}
