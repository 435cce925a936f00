import { SalesforceError } from '../salesforce-error.ts';

/**
 * A SOQL error worded as Salesforce words it: the statement, a caret under the offending
 * position, `ERROR at Row:r:Column:c` and the detail, e.g. `unexpected token: FRM` or
 * `No such column 'Foo' on entity 'Lead'. …`.
 */
export function soqlError(
  soql: string,
  offset: number,
  detail: string,
  errorCode = 'MALFORMED_QUERY',
): SalesforceError {
  const before = soql.slice(0, offset);
  const row = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const line = soql.split('\n')[row - 1] ?? '';
  return new SalesforceError(
    400,
    errorCode,
    `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${detail}`,
  );
}
