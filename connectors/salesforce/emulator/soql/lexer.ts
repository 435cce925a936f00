import { soqlError } from './soql-error.ts';

/** SOQL tokens. Keywords are case-insensitive; `upper` holds the upper-cased text. */
export type TokenKind =
  'identifier' | 'string' | 'number' | 'date' | 'datetime' | 'operator' | 'punctuation' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  upper: string;
  /** Offset of the first character in the statement. */
  offset: number;
  /** Decoded value of a string literal. */
  value?: string;
}

const DATETIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})/y;
const DATE = /\d{4}-\d{2}-\d{2}(?![\w:])/y;
const NUMBER = /[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?![\w])/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const OPERATOR = /!=|<>|<=|>=|=|<|>/y;
const ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  f: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
  _: '\\_',
  '%': '\\%',
};

export function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "'") {
      const { value, end } = readString(soql, i);
      tokens.push({ kind: 'string', text: soql.slice(i, end), upper: '', offset: i, value });
      i = end;
      continue;
    }
    const matched =
      match(DATETIME, 'datetime') ??
      match(DATE, 'date') ??
      match(NUMBER, 'number') ??
      match(IDENTIFIER, 'identifier') ??
      match(OPERATOR, 'operator');
    if (matched) {
      tokens.push(matched);
      i += matched.text.length;
      continue;
    }
    if ('(),.:'.includes(c)) {
      tokens.push({ kind: 'punctuation', text: c, upper: c, offset: i });
      i++;
      continue;
    }
    throw soqlError(soql, i, `line 1:${i} no viable alternative at character '${c}'`);
  }
  tokens.push({ kind: 'eof', text: '<EOF>', upper: '<EOF>', offset: soql.length });
  return tokens;

  function match(pattern: RegExp, kind: TokenKind): Token | null {
    pattern.lastIndex = i;
    const m = pattern.exec(soql);
    return m ? { kind, text: m[0], upper: m[0].toUpperCase(), offset: i } : null;
  }
}

/** A quoted string with backslash escapes; `\_` and `\%` stay escaped for LIKE. */
function readString(soql: string, start: number): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < soql.length) {
    const c = soql[i]!;
    if (c === "'") return { value, end: i + 1 };
    if (c === '\\') {
      const escaped = ESCAPES[soql[i + 1] ?? ''];
      if (escaped === undefined) {
        throw soqlError(soql, i, 'Invalid string literal. Illegal character sequence in string literal.');
      }
      value += escaped;
      i += 2;
      continue;
    }
    value += c;
    i++;
  }
  throw soqlError(soql, start, `line 1:${start} mismatched character '<EOF>' expecting '''`);
}
