import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import {
  hubspotCredentialsSchema,
  hubspotMappingSchema,
  hubspotSyncSchema,
  hubspotWritebackSchema,
} from '../connectors/hubspot/settings.ts';
import { salesforceMappingSchema, salesforceSyncSchema } from '../connectors/salesforce/settings.ts';
import { digestSettingsSchema } from './digest/settings.ts';
import { ConfigError, type ConfigIssue } from './errors/config-error.ts';
import { writebackSchema } from './writeback/settings.ts';
import { kpiSettingsSchema } from './kpi/settings.ts';
import { registerSecret } from './secrets.ts';
import {
  queueSchema,
  rateLimitSchema,
  rateLimitSchemaFor,
  schedulerSchema,
  schedulesSchema,
  workerSchema,
} from '../jobs/settings.ts';

/**
 * attain.config.yaml: one file for every mode (CLI, worker, scheduler, demo). Strings may contain
 * `${ENV_VAR}` (or `${ENV_VAR:-default}`); secrets must come in that way. Loading fails fast with
 * every problem listed by path, never a stack trace.
 */

export const DEFAULT_CONFIG_FILE = 'attain.config.yaml';
export const DEFAULT_SALESFORCE_API_VERSION = '64.0';

const isTimeZone = (value: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

const timeZone = z.string().refine(isTimeZone, { message: 'not an IANA time zone (e.g. America/New_York)' });
const currencyCode = z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO currency code (e.g. USD)');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const orgSchema = z.strictObject({
  /** IANA time zone every datetime is converted to before its date is taken. */
  timezone: timeZone.default('UTC'),
  /** First month of the fiscal year, 1–12. */
  fiscalYearStartMonth: z.int().min(1).max(12).default(1),
  /** A fiscal year is named by the calendar year in which it ends (default) or starts. */
  fiscalYearNaming: z.enum(['end', 'start']).default('end'),
  /** Corporate (home) currency. */
  currency: currencyCode.default('USD'),
  /** BCP 47 locale for formatting numbers, money and dates in output. */
  locale: z.string().default('en-US'),
});

const salesforceCommon = {
  loginUrl: httpUrl.default('https://login.salesforce.com'),
  apiVersion: z
    .string()
    .regex(/^\d{2,3}\.0$/, 'must look like "64.0"')
    .default(DEFAULT_SALESFORCE_API_VERSION),
  clientId: z.string().min(1),
};

/**
 * Salesforce credentials, one shape per OAuth flow so each flow's required fields are checked.
 * `flow` defaults to client_credentials, the flow Salesforce recommends for integrations.
 */
const salesforceSchema = z.preprocess(
  (value) =>
    value && typeof value === 'object' && !('flow' in value)
      ? { ...value, flow: 'client_credentials' }
      : value,
  z.discriminatedUnion('flow', [
    z.strictObject({
      flow: z.literal('client_credentials'),
      ...salesforceCommon,
      clientSecret: z.string().min(1),
    }),
    z.strictObject({
      flow: z.literal('password'),
      ...salesforceCommon,
      clientSecret: z.string().min(1),
      username: z.string().min(1),
      password: z.string().min(1),
    }),
    z.strictObject({
      flow: z.literal('jwt'),
      ...salesforceCommon,
      username: z.string().min(1),
      privateKey: z.string().min(1),
    }),
    z.strictObject({
      flow: z.literal('refresh_token'),
      ...salesforceCommon,
      clientSecret: z.string().min(1),
      refreshToken: z.string().min(1),
    }),
  ]),
);

const connectionId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" and "_" only (it is used in job ids)');

const salesforceConnection = z.strictObject({
  id: connectionId,
  provider: z.literal('salesforce'),
  salesforce: salesforceSchema,
  sync: salesforceSyncSchema.default(salesforceSyncSchema.parse({})),
  mapping: salesforceMappingSchema.default(salesforceMappingSchema.parse({})),
  writeback: writebackSchema.default(writebackSchema.parse({})),
  rateLimit: rateLimitSchema,
});

const hubspotConnection = z.strictObject({
  id: connectionId,
  provider: z.literal('hubspot'),
  hubspot: hubspotCredentialsSchema,
  sync: hubspotSyncSchema.default(hubspotSyncSchema.parse({})),
  mapping: hubspotMappingSchema.default(hubspotMappingSchema.parse({})),
  writeback: hubspotWritebackSchema.default(hubspotWritebackSchema.parse({})),
  // HubSpot's own per-portal limit (Professional/Enterprise private apps), shared by all workers.
  rateLimit: rateLimitSchemaFor({ requests: 190, intervalSeconds: 10 }),
});

const connectionSchema = z.discriminatedUnion('provider', [salesforceConnection, hubspotConnection]);

export const configSchema = z
  .strictObject({
    org: orgSchema.default(orgSchema.parse({})),
    connections: z.array(connectionSchema).default([]),
    kpis: kpiSettingsSchema.default(kpiSettingsSchema.parse({})),
    digests: digestSettingsSchema,
    schedules: schedulesSchema,
    worker: workerSchema,
    scheduler: schedulerSchema,
    queue: queueSchema,
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.connections.forEach((connection, index) => {
      const first = seen.get(connection.id);
      if (first === undefined) seen.set(connection.id, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['connections', index, 'id'],
          message: `duplicate connection id "${connection.id}" (also connections[${first}])`,
        });
    });
    for (const id of Object.keys(config.schedules.connections)) {
      if (!seen.has(id))
        ctx.addIssue({
          code: 'custom',
          path: ['schedules', 'connections', id],
          message: 'no such connection',
        });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type OrgSettings = Config['org'];
export type ConnectionConfig = Config['connections'][number];
export type SalesforceConnectionConfig = Extract<ConnectionConfig, { provider: 'salesforce' }>;
export type SalesforceCredentials = SalesforceConnectionConfig['salesforce'];
export type HubSpotConnectionConfig = Extract<ConnectionConfig, { provider: 'hubspot' }>;

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or null when none was given and none exists (defaults apply). */
  file: string | null;
}

/**
 * Loads and validates the config. `file` (from --config) wins over ATTAIN_CONFIG, which wins over
 * ./attain.config.yaml; with none of them present the defaults apply and there are no connections.
 */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const explicit = file ?? env.ATTAIN_CONFIG;
  const resolved = explicit ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (!resolved) return { config: parseConfig({}, '(defaults)', env), file: null };
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(resolved, [{ path: '', message: reason }]);
  }
  return { config: parseConfigText(text, resolved, env), file: path.resolve(resolved) };
}

export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv = process.env): Config {
  const document = parseDocument(text);
  if (document.errors.length > 0) {
    // One YAML mistake derails the parser for the rest of the file; only the first error is real.
    const [error] = document.errors;
    const position = error!.linePos?.[0];
    const more = document.errors.length - 1;
    throw new ConfigError(source, [
      {
        path: '',
        message:
          `YAML syntax error${position ? ` at line ${position.line}, column ${position.col}` : ''}: ` +
          `${error!.message.split(/ at line \d+/)[0]}` +
          (more > 0 ? ` (${more} more error${more === 1 ? '' : 's'} follow from it)` : ''),
      },
    ]);
  }
  return parseConfig(document.toJS() ?? {}, source, env);
}

export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    const found = Array.isArray(raw) ? 'a list' : JSON.stringify(raw);
    throw new ConfigError(source, [
      { path: '', message: `the file must be a map of sections (org:, connections:, …), not ${found}` },
    ]);
  }
  const issues: ConfigIssue[] = [];
  const interpolated = interpolate(raw, [], env, issues);
  const result = configSchema.safeParse(interpolated, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined),
  });
  if (!result.success) issues.push(...result.error.issues.flatMap(toConfigIssues));
  if (issues.length > 0) throw new ConfigError(source, sortIssues(issues));
  const config = result.data as Config;
  registerConfigSecrets(config);
  return config;
}

function registerConfigSecrets(config: Config): void {
  for (const connection of config.connections) {
    const credentials = (
      connection.provider === 'salesforce' ? connection.salesforce : connection.hubspot
    ) as Record<string, unknown>;
    for (const key of ['clientSecret', 'password', 'privateKey', 'refreshToken', 'accessToken']) {
      if (typeof credentials[key] === 'string') registerSecret(credentials[key]);
    }
  }
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

function interpolate(value: unknown, at: PathKey[], env: NodeJS.ProcessEnv, issues: ConfigIssue[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      issues.push({ path: formatPath(at), message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, [...at, index], env, issues));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, [...at, key], env, issues)]),
    );
  }
  return value;
}

type PathKey = string | number | symbol;

function toConfigIssues(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown key' }));
  }
  if (issue.code === 'invalid_value') {
    const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
    return [{ path: formatPath(issue.path), message: `must be one of ${options}` }];
  }
  if (issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)) {
    const options = issue.options.map((v) => JSON.stringify(v)).join(', ');
    return [{ path: formatPath(issue.path), message: `must be one of ${options}` }];
  }
  if (issue.code === 'invalid_union') return unionIssues(issue);
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    const bound = issue.code === 'too_big' ? issue.maximum : issue.minimum;
    const comparison =
      issue.code === 'too_big' ? (issue.inclusive ? '<=' : '<') : issue.inclusive ? '>=' : '>';
    const what = issue.origin === 'string' || issue.origin === 'array' ? ' in length' : '';
    if (issue.origin === 'string' && issue.code === 'too_small' && bound === 1) {
      return [{ path: formatPath(issue.path), message: 'must not be empty' }];
    }
    return [{ path: formatPath(issue.path), message: `must be ${comparison} ${String(bound)}${what}` }];
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

/**
 * A value that fits none of a union's shapes. When it has the shape of one of them (it failed
 * only inside it), that shape's problems are the useful ones; otherwise the shapes are listed.
 */
function unionIssues(issue: z.core.$ZodIssueInvalidUnion): ConfigIssue[] {
  const fitting = issue.errors.find((branch) => branch.every((inner) => inner.path.length > 0));
  if (fitting)
    return fitting.flatMap((inner) => toConfigIssues({ ...inner, path: [...issue.path, ...inner.path] }));
  const shapes = issue.errors.flatMap((branch) =>
    branch.flatMap((inner) =>
      inner.code === 'invalid_value'
        ? inner.values.map((value) => JSON.stringify(value))
        : inner.code === 'invalid_type'
          ? [{ array: 'a list', object: 'a map' }[inner.expected as string] ?? `a ${inner.expected}`]
          : [],
    ),
  );
  const listed = shapes.length > 1 ? `${shapes.slice(0, -1).join(', ')} or ${shapes.at(-1)}` : shapes[0];
  return [{ path: formatPath(issue.path), message: listed ? `must be ${listed}` : issue.message }];
}

export function formatPath(at: readonly PathKey[]): string {
  let out = '';
  for (const key of at) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const unique = new Map(issues.map((issue) => [`${issue.path}\u0000${issue.message}`, issue]));
  return [...unique.values()].sort((a, b) => a.path.localeCompare(b.path, 'en'));
}
