import type { Column, CompiledQuery } from '../soql/compile.ts';
import type { SObjectRecord } from '../store/sobject-record.ts';
import { csvDateTime } from '../wire-format.ts';

/**
 * Bulk 2.0 result CSV (spec §5.2): a header row of (dotted) column names on every page, every
 * value double-quoted with `"` doubled, null as an empty value, booleans as true/false and
 * datetimes with a `Z`. Yields the page in chunks so large pages stream.
 */

export const COLUMN_DELIMITERS: Record<string, string> = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
};
export const LINE_ENDINGS: Record<string, string> = { LF: '\n', CRLF: '\r\n' };

const ROWS_PER_CHUNK = 500;

export function* csvChunks(
  query: CompiledQuery,
  rows: readonly SObjectRecord[],
  delimiter: string,
  lineEnding: string,
): Generator<string> {
  const columns = query.columns;
  let chunk = columns.map((column) => quote(column.name)).join(delimiter) + lineEnding;
  for (let i = 0; i < rows.length; i++) {
    const record = rows[i]!;
    chunk += columns.map((column) => quote(cell(query, column, record))).join(delimiter) + lineEnding;
    if ((i + 1) % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

function cell(query: CompiledQuery, column: Column, record: SObjectRecord): string {
  const value = query.valueOf(column, record);
  if (value === null) return '';
  if (column.field.type === 'datetime' && typeof value === 'string') return csvDateTime(value);
  return String(value);
}

function quote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}
