import { CsvError, parse } from 'csv-parse/sync';
import type { PeriodType } from '../../db/schema.ts';
import { isIsoDate, periodContaining, PERIOD_TYPES, type FiscalCalendar } from './fiscal-calendar.ts';

/**
 * The quota file a RevOps user maintains (`attain quotas import FILE`): CSV with a header row and
 * the columns `rep` (rep id or email), `period_start` (YYYY-MM-DD, the first day of a fiscal
 * period), `amount` (home currency) and optionally `period_type` (month | quarter | year, default
 * quarter). Every problem is reported with its line number (the header is line 1).
 */

export interface QuotaFileRow {
  line: number;
  repId: string;
  periodType: PeriodType;
  periodStart: string;
  periodEnd: string;
  amount: number;
}

export interface QuotaFileProblem {
  line: number;
  message: string;
}

/** The reps a file may name: by rep id, or by email (case-insensitive). */
export interface RepDirectory {
  ids: ReadonlySet<string>;
  /** lower-cased email → rep ids with that email */
  byEmail: ReadonlyMap<string, readonly string[]>;
}

const REQUIRED_COLUMNS = ['rep', 'period_start', 'amount'] as const;
const KNOWN_COLUMNS: readonly string[] = [...REQUIRED_COLUMNS, 'period_type'];
const AMOUNT = /^\d+(\.\d+)?$/;

type ParsedRecord = { record: string[]; info: { lines: number } };

export function parseQuotaFile(
  text: string,
  reps: RepDirectory,
  calendar: FiscalCalendar,
): { rows: QuotaFileRow[]; problems: QuotaFileProblem[] } {
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    if (error instanceof CsvError) {
      return { rows: [], problems: [{ line: lineOf(error), message: `not valid CSV: ${error.message}` }] };
    }
    throw error;
  }
  const [header, ...body] = records;
  if (!header)
    return { rows: [], problems: [{ line: 1, message: 'the file is empty (expected a header row)' }] };
  const columns = header.record.map((name) => name.toLowerCase());
  const headerProblems = [
    ...REQUIRED_COLUMNS.filter((name) => !columns.includes(name)).map((name) => `missing column "${name}"`),
    ...columns.filter((name) => !KNOWN_COLUMNS.includes(name)).map((name) => `unknown column "${name}"`),
  ];
  if (headerProblems.length > 0) {
    return { rows: [], problems: headerProblems.map((message) => ({ line: header.info.lines, message })) };
  }
  const rows: QuotaFileRow[] = [];
  const problems: QuotaFileProblem[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of body) {
    const line = info.lines;
    const field = (name: string) => record[columns.indexOf(name)] ?? '';
    const result = parseLine(field, reps, calendar);
    if (typeof result === 'string') {
      problems.push({ line, message: result });
      continue;
    }
    const key = `${result.repId}\u0000${result.periodType}\u0000${result.periodStart}`;
    const first = firstLineOf.get(key);
    if (first !== undefined) {
      problems.push({ line, message: `duplicate of line ${first} (same rep, period_type and period_start)` });
      continue;
    }
    firstLineOf.set(key, line);
    rows.push({ line, ...result });
  }
  return { rows, problems };
}

/** One data line: the row, or what is wrong with it. */
function parseLine(
  field: (name: string) => string,
  reps: RepDirectory,
  calendar: FiscalCalendar,
): Omit<QuotaFileRow, 'line'> | string {
  const rep = field('rep');
  const periodType = (field('period_type') || 'quarter').toLowerCase();
  const periodStart = field('period_start');
  const amount = field('amount');
  if (!rep) return 'rep is empty (expected a rep id or email)';
  const resolved = resolveRep(rep, reps);
  if ('problem' in resolved) return resolved.problem;
  const { repId } = resolved;
  if (!(PERIOD_TYPES as readonly string[]).includes(periodType)) {
    return `period_type "${periodType}" is not one of ${PERIOD_TYPES.join(', ')}`;
  }
  const type = periodType as PeriodType;
  if (!isIsoDate(periodStart)) return `period_start "${periodStart}" is not a date written YYYY-MM-DD`;
  const period = periodContaining(periodStart, type, calendar);
  if (period.start !== periodStart) {
    return `period_start ${periodStart} is not the first day of a fiscal ${type} (${period.label} starts ${period.start})`;
  }
  if (!AMOUNT.test(amount))
    return `amount "${amount}" is not a non-negative number (digits and an optional decimal point)`;
  return { repId, periodType: type, periodStart, periodEnd: period.end, amount: Number(amount) };
}

/** The rep a file line names by rep id or email. */
function resolveRep(rep: string, reps: RepDirectory): { repId: string } | { problem: string } {
  if (reps.ids.has(rep)) return { repId: rep };
  const [match, ...others] = reps.byEmail.get(rep.toLowerCase()) ?? [];
  if (match === undefined) return { problem: `no rep with id or email "${rep}"` };
  if (others.length > 0) {
    return {
      problem: `email "${rep}" belongs to several reps (${[match, ...others].join(', ')}): use the rep id`,
    };
  }
  return { repId: match };
}

function lineOf(error: CsvError): number {
  const lines = (error as CsvError & { lines?: number }).lines;
  return typeof lines === 'number' ? lines : 1;
}
