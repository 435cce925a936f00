/** Plain-text column layout for command output. Numbers (and `align: 'right'` columns) align right. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  align?: 'left' | 'right';
}

export function textTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>, indent = '  '): string {
  const cells = rows.map((row) => columns.map((column) => display(column.value(row))));
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...cells.map((row) => row[i]!.length)),
  );
  const rightAligned = columns.map(
    (column, i) =>
      column.align === 'right' ||
      (column.align === undefined &&
        rows.length > 0 &&
        rows.every((row) => typeof columns[i]!.value(row) === 'number')),
  );
  const line = (values: string[]) =>
    indent +
    values
      .map((value, i) => (rightAligned[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}

function display(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'number' ? value.toLocaleString('en-US') : value;
}
