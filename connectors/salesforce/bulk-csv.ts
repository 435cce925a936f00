import { BulkCsvError } from './bulk-csv-error.ts';

/**
 * Bulk API 2.0 query results as rows of strings. Salesforce writes them as RFC 4180 CSV with the
 * job's defaults, which attain never changes: COMMA delimiter, LF line endings (CRLF accepted),
 * a header row, fields quoted with `"` when they hold a delimiter, a quote or a line break.
 *
 * jsforce parses CSV with csv-parse, trying six delimiters at every character; on a page of
 * 10,000 rows that was the largest single cost of a backfill. This parser knows the one format
 * and scans with indexOf. A page that is not such CSV (an unterminated quote, text after a
 * closing quote) is an error, never an empty or shortened page.
 */

export interface BulkCsvPage {
  header: string[];
  rows: string[][];
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export function parseBulkCsv(text: string): BulkCsvPage {
  const records: string[][] = [];
  const length = text.length;
  let position = 0;
  let record: string[] = [];
  while (position < length) {
    let value: string;
    if (text.charCodeAt(position) === QUOTE) {
      value = '';
      let start = position + 1;
      for (;;) {
        const close = text.indexOf('"', start);
        if (close === -1) throw new BulkCsvError(`unterminated quoted field at offset ${position}`);
        value += text.slice(start, close);
        if (text.charCodeAt(close + 1) !== QUOTE) {
          position = close + 1;
          break;
        }
        value += '"';
        start = close + 2;
      }
    } else {
      let end = position;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === COMMA || code === LF || code === CR) break;
        end += 1;
      }
      value = text.slice(position, end);
      position = end;
    }
    record.push(value);
    const next = text.charCodeAt(position);
    if (next === COMMA) {
      position += 1;
      // a delimiter at the very end leaves one more (empty) field
      if (position === length) record.push('');
      continue;
    }
    if (position < length && next !== LF && next !== CR)
      throw new BulkCsvError(`unexpected text after a quoted field at offset ${position}`);
    if (next === CR) position += 1;
    if (text.charCodeAt(position) === LF) position += 1;
    // a blank line carries no record
    if (record.length > 1 || record[0] !== '') records.push(record);
    record = [];
  }
  if (record.length > 0) records.push(record);
  const [header = [], ...rows] = records;
  return { header, rows };
}
