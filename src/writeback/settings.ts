import { z } from 'zod';
import { KPI_VALUE_COLUMNS } from '../kpi/kpi-columns.ts';

/** What can be written back: any KPI column of rep_period_kpis, or the as-of date. */
export const WRITEBACK_METRICS = [...KPI_VALUE_COLUMNS, 'as_of'] as const;

const writebackFieldSchema = z.strictObject({
  metric: z.enum(WRITEBACK_METRICS),
  /** The period whose value is written: the fiscal month, quarter or year containing as_of. */
  period: z.enum(['month', 'quarter', 'year']).default('quarter'),
  /** The CRM field API name. */
  field: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a field API name'),
});

/** Per-connection writeback options. */
export const writebackSchema = z.strictObject({
  /** Write KPIs back to the CRM at the end of `attain run`. */
  enabled: z.boolean().default(true),
  /** metric + period → field; omitted: the connector's defaults (see the README). */
  fields: z.array(writebackFieldSchema).min(1).optional(),
  /** In-run retries of records the CRM rejected with a retryable code (UNABLE_TO_LOCK_ROW…). */
  retries: z.int().min(0).max(10).default(3),
  /** First delay between those retries, doubled each time. */
  retryDelayMs: z.int().min(0).max(60_000).default(1000),
});

export type WritebackSettings = z.infer<typeof writebackSchema>;
