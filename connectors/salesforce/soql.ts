/** SOQL literal helpers. Datetimes are unquoted literals; strings are single-quoted with escapes. */

export function soqlDateTime(iso: string | Date): string {
  return (typeof iso === 'string' ? new Date(iso) : iso).toISOString();
}

export function soqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
