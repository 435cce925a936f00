import type { Kysely } from 'kysely';
import type { DB, RunStatus, StageName } from '../db/schema.ts';
import type { Config, ConnectionConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { CrmRateLimiter } from './rate-limit.ts';
import { redactString } from './secrets.ts';

/**
 * What every stage function receives. Stages are plain async functions `(ctx, input) → result`
 * that talk to each other only through tables, so the same function runs inline (CLI, demo,
 * tests) or inside a BullMQ job (worker).
 */
export interface StageContext {
  readonly db: Kysely<DB>;
  readonly config: Config;
  readonly connection: ConnectionConfig;
  readonly logger: Logger;
  /** Aborted on shutdown (SIGTERM) or job cancellation; stages stop at their next safe point. */
  readonly signal: AbortSignal;
  /** Who started the work: 'cli', 'worker', 'demo' or 'test'; recorded on the run. */
  readonly trigger: string;
  /** The enclosing `attain run` (pipeline) run, if any. */
  readonly parentRunId: number | null;
  /** The clock; tests and reproducible runs pin it. Never read inside SQL. */
  now(): Date;
  /** Throttles requests to the CRM per connection (shared by all processes in the worker). */
  readonly rateLimiter: CrmRateLimiter;
}

/** What a stage body reports back; persisted on its `runs` row. */
export interface StageReport<R> {
  result: R;
  /** 'succeeded' unless the body says otherwise ('budget_stopped', 'partial'). */
  status?: Exclude<RunStatus, 'running' | 'failed'>;
  counts?: Record<string, number>;
  apiCalls?: number;
  report?: Record<string, unknown>;
}

export interface StageRun<R> {
  runId: number;
  status: RunStatus;
  result: R;
  counts: Record<string, number>;
  apiCalls: number;
  report: Record<string, unknown>;
  startedAt: Date;
  finishedAt: Date;
}

/**
 * Runs `body` as one audited stage run: a `runs` row is opened before it starts and closed with
 * its status, counts, API calls and report (or the error) when it ends. The error is rethrown.
 */
export async function runStage<R>(
  ctx: StageContext,
  stage: StageName,
  options: { asOf?: string | null },
  body: (runId: number) => Promise<StageReport<R>>,
): Promise<StageRun<R>> {
  const startedAt = ctx.now();
  const { id: runId } = await ctx.db
    .insertInto('runs')
    .values({
      connection_id: ctx.connection.id,
      stage,
      parent_run_id: ctx.parentRunId,
      trigger: ctx.trigger,
      as_of: options.asOf ?? null,
      started_at: startedAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const log = ctx.logger.child({ stage, runId, connection: ctx.connection.id });
  log.debug('stage started');
  try {
    const outcome = await body(runId);
    const finishedAt = ctx.now();
    const status = outcome.status ?? 'succeeded';
    const counts = outcome.counts ?? {};
    const report = outcome.report ?? {};
    const apiCalls = outcome.apiCalls ?? 0;
    await ctx.db
      .updateTable('runs')
      .set({
        status,
        finished_at: finishedAt,
        counts: JSON.stringify(counts),
        report: JSON.stringify(report),
        api_calls: apiCalls,
      })
      .where('id', '=', runId)
      .execute();
    log.info({ status, counts, apiCalls, ms: finishedAt.getTime() - startedAt.getTime() }, 'stage finished');
    return { runId, status, result: outcome.result, counts, apiCalls, report, startedAt, finishedAt };
  } catch (error) {
    const message = redactString(error instanceof Error ? error.message : String(error));
    await ctx.db
      .updateTable('runs')
      .set({ status: 'failed', finished_at: ctx.now(), error: message })
      .where('id', '=', runId)
      .execute()
      .catch((recordError: unknown) => log.error({ err: recordError }, 'could not record the failed run'));
    log.error({ err: error }, 'stage failed');
    throw error;
  }
}
