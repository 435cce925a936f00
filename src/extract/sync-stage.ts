import { sql } from 'kysely';
import { connectorFor } from '../../connectors/registry.ts';
import type { ConnectorSession } from '../../connectors/types.ts';
import { ApiBudgetExhaustedError } from '../errors/api-budget-exhausted-error.ts';
import { CrmRequestError } from '../errors/crm-request-error.ts';
import { runStage, type StageContext, type StageRun } from '../stage.ts';
import { loadSyncState, markDeleted, storePage } from './landing.ts';

export interface SyncInput {
  /** Only these CRM objects (default: every object the connector plans). */
  objects?: string[];
  /** Re-extract everything from scratch (and re-read the CRM's schema). */
  full?: boolean;
  /** Called after every stored page (for a progress display). */
  onPage?: (object: string, totals: { pages: number; records: number }) => void;
}

export interface ObjectSyncOutcome {
  object: string;
  mode: 'backfill' | 'incremental';
  pages: number;
  records: number;
  written: number;
  rejected: number;
  deleted: number;
  error?: string;
}

export interface SyncResult {
  objects: ObjectSyncOutcome[];
  skipped: Array<{ object: string; reason: string }>;
  /** Why the run stopped early, if it did. */
  stoppedBy: 'budget' | 'interrupted' | null;
}

/**
 * The extract stage: pulls every planned object of a connection into crm_records. Each page is
 * stored with its checkpoint in one transaction; between pages the stage checks the API budget
 * and whether it was asked to stop, so a stop always leaves state that matches the data.
 * An object the CRM refuses (a bad custom field, say) is reported and the others still run.
 */
export function syncConnection(ctx: StageContext, input: SyncInput = {}): Promise<StageRun<SyncResult>> {
  return runStage(ctx, 'sync', {}, async (runId) => {
    const connector = connectorFor(ctx.connection.provider);
    const session = await connector.open(ctx, { refreshSchema: input.full === true });
    const result: SyncResult = { objects: [], skipped: [], stoppedBy: null };
    try {
      const plan = await session.plan();
      result.skipped = plan.skipped;
      const objects = input.objects
        ? plan.objects.filter((object) => input.objects!.includes(object))
        : plan.objects;
      await syncObjects(ctx, session, objects, runId, input, result.objects);
    } catch (error) {
      if (error instanceof ApiBudgetExhaustedError) result.stoppedBy = 'budget';
      else if (ctx.signal.aborted) result.stoppedBy = 'interrupted';
      else throw error;
      ctx.logger.warn({ reason: (error as Error).message }, 'sync stopped early; state saved');
    } finally {
      await session.close();
    }
    const failed = result.objects.filter((outcome) => outcome.error);
    const usage = session.apiUsage();
    return {
      result,
      status:
        result.stoppedBy === 'budget'
          ? 'budget_stopped'
          : result.stoppedBy || failed.length > 0
            ? 'partial'
            : 'succeeded',
      apiCalls: session.apiCalls(),
      counts: {
        records: sum(result.objects, 'records'),
        written: sum(result.objects, 'written'),
        rejected: sum(result.objects, 'rejected'),
        deleted: sum(result.objects, 'deleted'),
        pages: sum(result.objects, 'pages'),
      },
      report: {
        objects: result.objects,
        skipped: result.skipped,
        notes: session.notes(),
        stoppedBy: result.stoppedBy,
        ...(usage ? { apiUsage: usage } : {}),
      },
    };
  });
}

/**
 * Extracts `objects`, `sync.parallelObjects` at a time (each a pipeline of fetch and store; two
 * keep PostgreSQL busy while the next pages travel). The first error (budget, outage, abort)
 * stops the others at their next page boundary; the stage waits for all before it reports.
 */
async function syncObjects(
  ctx: StageContext,
  session: ConnectorSession,
  objects: string[],
  runId: number,
  input: SyncInput,
  outcomes: ObjectSyncOutcome[],
): Promise<void> {
  const stop = new AbortController();
  const onAbort = () => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const worker: StageContext = { ...ctx, signal: stop.signal };
  const queue = [...objects];
  let failure: { error: unknown } | null = null;
  const lane = async () => {
    for (let object = queue.shift(); object !== undefined && !stop.signal.aborted; object = queue.shift()) {
      try {
        await syncObject(worker, session, object, runId, input, outcomes);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  try {
    await Promise.all(
      Array.from(
        { length: Math.max(1, Math.min(ctx.connection.sync.parallelObjects, objects.length)) },
        lane,
      ),
    );
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  if (failure) throw (failure as { error: unknown }).error;
  ctx.signal.throwIfAborted();
}

async function syncObject(
  ctx: StageContext,
  session: ConnectorSession,
  object: string,
  runId: number,
  input: SyncInput,
  outcomes: ObjectSyncOutcome[],
): Promise<void> {
  const full = input.full === true;
  const state = await loadSyncState(ctx.db, ctx.connection.id, object);
  const outcome: ObjectSyncOutcome = {
    object,
    mode: state.watermark === null || full ? 'backfill' : 'incremental',
    pages: 0,
    records: 0,
    written: 0,
    rejected: 0,
    deleted: 0,
  };
  // Recorded before the first page, so a run stopped mid-object still reports what it stored.
  outcomes.push(outcome);
  try {
    // One page of lookahead: the next page travels and parses while this one is written (the
    // database works in its own process). Pages are still stored strictly in order, each with
    // its checkpoint, so a stop never leaves state ahead of data.
    const pages = session.extract(object, state, { full })[Symbol.asyncIterator]();
    let next = pages.next();
    try {
      for (;;) {
        const current = await next;
        if (current.done) break;
        const page = current.value;
        // Checked before the prefetch, so no request leaves once the budget is reached; the page
        // already fetched is still stored (with its checkpoint) before the run stops.
        const overBudget = budgetExhausted(ctx, session);
        if (!overBudget && !ctx.signal.aborted) {
          next = pages.next();
          // A failing prefetch surfaces on the next await; until then it must not go unhandled.
          next.catch(() => undefined);
        }
        outcome.written += await storePage(ctx.db, ctx.connection.id, object, page, runId);
        outcome.pages += 1;
        outcome.records += page.records.length;
        outcome.rejected += page.rejected.length;
        input.onPage?.(object, { pages: outcome.pages, records: outcome.records });
        if (overBudget) throw overBudget;
        ctx.signal.throwIfAborted();
      }
    } finally {
      // Stopped early (budget, abort, error): close the generator once its prefetch settles.
      await next.catch(() => undefined);
      await pages.return?.(undefined);
    }
    outcome.deleted = await reconcileDeletes(ctx, session, object);
  } catch (error) {
    if (!(error instanceof CrmRequestError)) throw error;
    // The CRM refuses this object's query: report it, keep the others going.
    outcome.error = error.message;
    ctx.logger.error({ object, err: error }, 'object extraction failed');
  }
}

/** The error that stops the run once the org's API usage reaches the configured share of its daily limit. */
function budgetExhausted(ctx: StageContext, session: ConnectorSession): ApiBudgetExhaustedError | null {
  const usage = session.apiUsage();
  const share = ctx.connection.sync.maxDailyApiShare;
  if (usage && usage.used >= usage.limit * share) {
    return new ApiBudgetExhaustedError(
      `API budget reached: the org has used ${usage.used} of ${usage.limit} daily API calls (stop at ${Math.round(share * 100)}%)`,
      { used: usage.used, limit: usage.limit },
    );
  }
  return null;
}

async function reconcileDeletes(
  ctx: StageContext,
  session: ConnectorSession,
  object: string,
): Promise<number> {
  const state = await loadSyncState(ctx.db, ctx.connection.id, object);
  const reconciliation = await session.reconcileDeletes(object, state);
  if (reconciliation.kind === 'skipped') return 0;
  let deleted: number;
  if (reconciliation.kind === 'deleted') {
    deleted = await markDeleted(ctx.db, ctx.connection.id, object, reconciliation.ids);
  } else {
    const present = new Set<string>();
    for await (const ids of reconciliation.ids) {
      for (const id of ids) present.add(id);
      const overBudget = budgetExhausted(ctx, session);
      if (overBudget) throw overBudget;
    }
    const stored = await ctx.db
      .selectFrom('crm_records')
      .select('crm_id')
      .where('connection_id', '=', ctx.connection.id)
      .where('object', '=', object)
      .where('is_deleted', '=', false)
      .execute();
    deleted = await markDeleted(
      ctx.db,
      ctx.connection.id,
      object,
      stored.map((row) => row.crm_id).filter((id) => !present.has(id)),
    );
  }
  await sql`UPDATE sync_state SET last_reconciled_at = ${reconciliation.coveredUntil}, updated_at = now()
            WHERE connection_id = ${ctx.connection.id} AND object = ${object}`.execute(ctx.db);
  return deleted;
}

function sum(
  outcomes: ObjectSyncOutcome[],
  key: 'records' | 'written' | 'rejected' | 'deleted' | 'pages',
): number {
  return outcomes.reduce((total, outcome) => total + outcome[key], 0);
}
