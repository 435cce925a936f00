import type { Command } from 'commander';
import { startHubSpotEmulator } from '../../connectors/hubspot/emulator/emulator.ts';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/emulator.ts';
import { DEFAULT_SALESFORCE_API_VERSION } from '../config.ts';
import { UsageError } from '../errors/usage-error.ts';
import type { CommandContext } from './context.ts';

/** The options every emulator subcommand takes, parsed. */
interface EmulatorOptions {
  port: number;
  seed: number;
  scale: number;
  now: string | undefined;
  data: string | undefined;
}

interface RunningEmulator {
  /** Printed with --json; `human` is the same as text. */
  summary: Record<string, unknown>;
  human: string;
  stop(): Promise<void>;
}

interface EmulatorKind {
  name: string;
  description: string;
  start(options: EmulatorOptions): Promise<RunningEmulator>;
}

/** One entry per CRM; another emulator (HubSpot) is one more entry. */
const EMULATORS: EmulatorKind[] = [
  {
    name: 'salesforce',
    description: 'an emulated Salesforce org (OAuth, REST, Bulk API 2.0) on 127.0.0.1',
    start: startSalesforce,
  },
  {
    name: 'hubspot',
    description: 'an emulated HubSpot portal (CRM v3/v4 API for @hubspot/api-client) on 127.0.0.1',
    start: startHubSpot,
  },
];

/** `attain emulator <crm> [--port N] [--seed S] [--scale N] [--now ISO] [--data FILE]`: runs until SIGINT/SIGTERM. */
export function registerEmulator(program: Command, context: CommandContext): void {
  const group = program
    .command('emulator')
    .description('run a local CRM emulator that speaks the CRM’s real wire protocol (until Ctrl+C)');
  for (const kind of EMULATORS) {
    group
      .command(kind.name)
      .description(kind.description)
      .option('--port <n>', 'TCP port on 127.0.0.1 (0 = any free port)', '0')
      .option('--seed <n>', 'seed of the generated world', '1')
      .option('--scale <n>', 'number of sales reps in the generated world', '5')
      .option('--now <iso>', "the world's now (default: the current time)")
      .option('--data <file>', 'load records from a JSON fixture instead of generating a world')
      .action(async (raw: Record<string, string | undefined>) => {
        const running = await kind.start(parseOptions(raw));
        context.output.result(running.summary, () => running.human);
        await untilStopped();
        await running.stop();
      });
  }
}

function parseOptions(raw: Record<string, string | undefined>): EmulatorOptions {
  const integer = (name: string, min: number, max: number): number => {
    const text = raw[name] ?? '';
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`);
    }
    return value;
  };
  if (raw.now !== undefined && Number.isNaN(Date.parse(raw.now))) {
    throw new UsageError(`--now must be an ISO instant (e.g. 2026-03-15T12:00:00Z), got '${raw.now}'`);
  }
  return {
    port: integer('port', 0, 65535),
    seed: integer('seed', 0, Number.MAX_SAFE_INTEGER),
    scale: integer('scale', 1, 100_000),
    now: raw.now,
    data: raw.data,
  };
}

async function startSalesforce(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = await startSalesforceEmulator({
    port: options.port,
    seed: options.seed,
    scale: options.scale,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.data === undefined ? {} : { dataFile: options.data }),
  });
  const { credentials, counts } = emulator;
  const records = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const source = options.data ?? `seed ${options.seed}, scale ${options.scale}`;
  return {
    summary: {
      provider: 'salesforce',
      url: emulator.url,
      ...credentials,
      apiVersion: DEFAULT_SALESFORCE_API_VERSION,
      controlUrl: `${emulator.url}/__emulator/`,
      org: { ...emulator.store.org, now: emulator.store.clock.now().toISOString() },
      records: counts,
    },
    human: [
      `Salesforce emulator listening on ${emulator.url} (${source}: ${records} records in ${Math.round(emulator.loadMs)} ms)`,
      `  login URL      ${credentials.loginUrl}`,
      `  instance URL   ${credentials.instanceUrl}`,
      `  client id      ${credentials.clientId}`,
      `  client secret  ${credentials.clientSecret}`,
      `  username       ${credentials.username}`,
      `  password       ${credentials.password}`,
      `  refresh token  ${credentials.refreshToken}`,
      `  access token   ${credentials.accessToken}`,
      `  JWT bearer     any RS256 JWT with iss = the client id`,
      `  control API    ${emulator.url}/__emulator/`,
      'Stop with Ctrl+C.',
    ].join('\n'),
    stop: () => emulator.stop(),
  };
}

async function startHubSpot(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = await startHubSpotEmulator({
    port: options.port,
    seed: options.seed,
    scale: options.scale,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.data === undefined ? {} : { dataFile: options.data }),
  });
  const { credentials, counts, store } = emulator;
  const records = Object.values(counts).reduce((sum, n) => sum + n, 0);
  const source = options.data ?? `seed ${options.seed}, scale ${options.scale}`;
  return {
    summary: {
      provider: 'hubspot',
      url: emulator.url,
      ...credentials,
      controlUrl: `${emulator.url}/__emulator/`,
      portal: { ...store.portal, features: store.features, now: store.clock.now().toISOString() },
      records: counts,
    },
    human: [
      `HubSpot emulator listening on ${emulator.url} (${source}: ${records} records in ${Math.round(emulator.loadMs)} ms)`,
      `  basePath       ${credentials.basePath}`,
      `  access token   ${credentials.accessToken}`,
      `  portal id      ${credentials.portalId}`,
      `  control API    ${emulator.url}/__emulator/`,
      'Stop with Ctrl+C.',
    ].join('\n'),
    stop: () => emulator.stop(),
  };
}

function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
