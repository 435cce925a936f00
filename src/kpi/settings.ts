import { z } from 'zod';
import type { Config } from '../config.ts';
import type { FiscalCalendar } from './fiscal-calendar.ts';

/**
 * The `kpis` section of attain.config.yaml: options of the KPI definitions in docs/KPIS.md that
 * an org may set differently. Every option has a default, so the section may be left out.
 */

const paceThresholdsSchema = z
  .strictObject({
    /** pace ≥ ahead ⇒ 'ahead'. Default 1.0 (exactly on a linear track or better). */
    ahead: z.number().positive().default(1),
    /** pace ≥ onTrack ⇒ 'on_track'. Default 0.9. */
    onTrack: z.number().positive().default(0.9),
    /** pace ≥ behind ⇒ 'behind'; below it ⇒ 'at_risk'. Default 0.7. */
    behind: z.number().positive().default(0.7),
  })
  .refine((t) => t.ahead >= t.onTrack && t.onTrack >= t.behind, {
    message: 'thresholds must not increase: ahead >= onTrack >= behind',
  });

export const kpiSettingsSchema = z.strictObject({
  /**
   * Which quota wins when a rep has quota rows for a period from both sources: 'crm' (Salesforce
   * ForecastingQuota, HubSpot goals) or 'file' (`attain quotas import`). The other source is used
   * for a rep and period where the winner has none. Default 'crm'.
   */
  quotaSource: z.enum(['crm', 'file']).default('crm'),
  /**
   * Lead source values (exact, as synced) that count as referrals. Default (unset): every source
   * value containing "referral", case-insensitive.
   */
  referralSources: z.array(z.string().min(1)).min(1).optional(),
  /** Pace status bands (pace = attainment ÷ share of the period elapsed). */
  paceThresholds: paceThresholdsSchema.default(paceThresholdsSchema.parse({})),
  /** Computed rows are kept for this many days of as_of dates, then pruned. Default 35. */
  retainDays: z.int().min(1).max(3660).default(35),
});

export type KpiOptions = z.infer<typeof kpiSettingsSchema>;

/** Everything a KPI computation depends on: the org's calendar and time zone plus the `kpis` options. */
export interface KpiSettings extends KpiOptions, FiscalCalendar {
  /** IANA time zone every datetime is converted to before its date is taken. */
  timezone: string;
}

export function kpiSettingsOf(config: Pick<Config, 'org' | 'kpis'>): KpiSettings {
  const { timezone, fiscalYearStartMonth, fiscalYearNaming } = config.org;
  return { ...config.kpis, timezone, fiscalYearStartMonth, fiscalYearNaming };
}
