import { STAGES } from '../../../world/types.ts';
import { CLOSED_TASK_STATUSES, FORECAST_CATEGORY } from '../schema/picklists.ts';
import type { FieldValue } from './sobject-record.ts';

/**
 * Fields Salesforce computes from others on every save, so a write through the API or the
 * control API leaves a record as consistent as the org would: compound names, Opportunity stage
 * flags and forecast category, Task IsClosed, line-item subtotals, Quote grand total.
 */

type Draft = Record<string, FieldValue>;

const STAGE_BY_NAME = new Map(STAGES.map((stage) => [stage.salesforceName, stage]));
const FORECAST_API_BY_NAME = new Map(Object.values(FORECAST_CATEGORY).map((c) => [c.name, c.api]));

/** Updates `draft` in place; `changed` holds the field names the write set explicitly. */
export function deriveFields(object: string, draft: Draft, changed: ReadonlySet<string>): void {
  switch (object) {
    case 'User':
    case 'Lead':
      draft.Name = [draft.FirstName, draft.LastName]
        .filter((part) => typeof part === 'string' && part)
        .join(' ');
      return;
    case 'Opportunity':
      deriveOpportunity(draft, changed);
      return;
    case 'Task':
      draft.IsClosed = typeof draft.Status === 'string' && CLOSED_TASK_STATUSES.has(draft.Status);
      return;
    case 'Quote':
      draft.GrandTotal =
        typeof draft.TotalPrice === 'number'
          ? round(draft.TotalPrice + numberOr0(draft.Tax) + numberOr0(draft.ShippingHandling), 2)
          : null;
      return;
    case 'OpportunityLineItem':
    case 'QuoteLineItem':
      deriveLineItem(draft, changed);
      return;
  }
}

function deriveOpportunity(draft: Draft, changed: ReadonlySet<string>): void {
  const stage = typeof draft.StageName === 'string' ? STAGE_BY_NAME.get(draft.StageName) : undefined;
  if (stage) {
    draft.IsClosed = stage.isClosed;
    draft.IsWon = stage.isWon;
    if (changed.has('StageName') && !changed.has('Probability'))
      draft.Probability = round(stage.probability * 100, 0);
    if (changed.has('StageName') && !changed.has('ForecastCategoryName')) {
      draft.ForecastCategoryName = FORECAST_CATEGORY[stage.defaultForecastCategory].name;
    }
  }
  if (typeof draft.ForecastCategoryName === 'string') {
    draft.ForecastCategory =
      FORECAST_API_BY_NAME.get(draft.ForecastCategoryName) ?? draft.ForecastCategory ?? null;
  }
  draft.ExpectedRevenue =
    typeof draft.Amount === 'number' && typeof draft.Probability === 'number'
      ? round((draft.Amount * draft.Probability) / 100, 2)
      : null;
}

function deriveLineItem(draft: Draft, changed: ReadonlySet<string>): void {
  if (typeof draft.Quantity !== 'number') return;
  const discount = typeof draft.Discount === 'number' ? draft.Discount : 0;
  // A write sets UnitPrice or TotalPrice, never both; the other one follows.
  if (changed.has('TotalPrice') && !changed.has('UnitPrice') && typeof draft.TotalPrice === 'number') {
    const net = 1 - discount / 100;
    if (net > 0 && draft.Quantity !== 0) draft.UnitPrice = round(draft.TotalPrice / net / draft.Quantity, 2);
  }
  if (typeof draft.UnitPrice !== 'number') return;
  draft.Subtotal = round(draft.UnitPrice * draft.Quantity, 2);
  draft.TotalPrice = round(draft.UnitPrice * draft.Quantity * (1 - discount / 100), 2);
}

function numberOr0(value: FieldValue | undefined): number {
  return typeof value === 'number' ? value : 0;
}

export function round(value: number, scale: number): number {
  const factor = 10 ** scale;
  return Math.round(value * factor) / factor;
}
