import { parseDateTime } from '../wire-format.ts';
import type {
  ComparisonOperator,
  Condition,
  FieldPath,
  Literal,
  OrderItem,
  SelectItem,
  SoqlQuery,
} from './ast.ts';
import { isDateLiteralName, takesN } from './date-literals.ts';
import { tokenize, type Token } from './lexer.ts';
import { soqlError } from './soql-error.ts';

/**
 * A recursive-descent parser for the SOQL subset the emulator serves (spec §13):
 *
 *   SELECT field[, field…] | COUNT()  FROM object
 *   [WHERE condition] [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n]
 *
 * Conditions: AND / OR / NOT with parentheses (mixing AND and OR without parentheses is an error,
 * as in Salesforce), `= != <> < <= > >=`, LIKE, [NOT] IN (…), with string, number, boolean, null,
 * date, datetime and relative date literals. Anything else fails the way Salesforce fails an
 * unknown construct: MALFORMED_QUERY "unexpected token: X".
 */
export function parseSoql(soql: string): SoqlQuery {
  return new Parser(soql).parse();
}

const CLAUSE_KEYWORDS = new Set([
  'FROM',
  'WHERE',
  'ORDER',
  'LIMIT',
  'AND',
  'OR',
  'NOT',
  'IN',
  'LIKE',
  'SELECT',
  'BY',
]);

class Parser {
  private readonly soql: string;
  private readonly tokens: Token[];
  private position = 0;

  constructor(soql: string) {
    this.soql = soql;
    this.tokens = tokenize(soql);
  }

  parse(): SoqlQuery {
    if (this.peek().kind === 'eof') {
      throw soqlError(this.soql, 0, 'SOQL statements cannot be empty or null');
    }
    this.expectKeyword('SELECT');
    const select = this.selectList();
    this.expectKeyword('FROM');
    const fromToken = this.expectIdentifier();
    const query: SoqlQuery = {
      soql: this.soql,
      select,
      from: { name: fromToken.text, offset: fromToken.offset },
      where: null,
      orderBy: [],
      limit: null,
    };
    if (this.acceptKeyword('WHERE')) query.where = this.condition();
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      query.orderBy = this.orderList();
    }
    if (this.acceptKeyword('LIMIT')) query.limit = this.limitValue();
    const rest = this.peek();
    if (rest.kind !== 'eof') throw this.unexpected(rest);
    return query;
  }

  private selectList(): SelectItem[] {
    const items: SelectItem[] = [];
    const seen = new Set<string>();
    do {
      const token = this.peek();
      if (token.upper === 'COUNT' && this.peek(1).kind === 'punctuation' && this.peek(1).text === '(') {
        this.position += 2;
        this.expectPunctuation(')');
        items.push({ kind: 'count', offset: token.offset });
        continue;
      }
      const path = this.fieldPath();
      const key = path.parts.join('.').toLowerCase();
      if (seen.has(key))
        throw soqlError(this.soql, path.offset, `duplicate field selected: ${path.parts.join('.')}`);
      seen.add(key);
      items.push({ kind: 'field', path });
    } while (this.acceptPunctuation(','));
    const count = items.find((item) => item.kind === 'count');
    if (count && items.length > 1) {
      throw soqlError(this.soql, count.offset, 'COUNT() must be the only element in the SELECT list.');
    }
    return items;
  }

  private condition(): Condition {
    const first = this.unary();
    const joiner = this.peek().upper;
    if (joiner !== 'AND' && joiner !== 'OR') return first;
    const operands = [first];
    while (this.acceptKeyword(joiner)) operands.push(this.unary());
    const other = this.peek();
    if (other.upper === 'AND' || other.upper === 'OR') throw this.unexpected(other);
    return { kind: joiner === 'AND' ? 'and' : 'or', operands };
  }

  private unary(): Condition {
    if (this.acceptKeyword('NOT')) return { kind: 'not', operand: this.unary() };
    if (this.acceptPunctuation('(')) {
      const inner = this.condition();
      this.expectPunctuation(')');
      return inner;
    }
    return this.simpleCondition();
  }

  private simpleCondition(): Condition {
    const path = this.fieldPath();
    const token = this.peek();
    if (token.upper === 'NOT' && this.peek(1).upper === 'IN') {
      this.position += 2;
      return { kind: 'in', path, negated: true, values: this.valueList() };
    }
    if (this.acceptKeyword('IN')) return { kind: 'in', path, negated: false, values: this.valueList() };
    if (this.acceptKeyword('LIKE')) return { kind: 'compare', path, operator: 'LIKE', value: this.literal() };
    if (token.kind !== 'operator') throw this.unexpected(token);
    this.position++;
    const operator = (token.text === '<>' ? '!=' : token.text) as ComparisonOperator;
    return { kind: 'compare', path, operator, value: this.literal() };
  }

  private valueList(): Literal[] {
    this.expectPunctuation('(');
    const values: Literal[] = [];
    do values.push(this.literal());
    while (this.acceptPunctuation(','));
    this.expectPunctuation(')');
    return values;
  }

  private literal(): Literal {
    const token = this.next();
    const offset = token.offset;
    switch (token.kind) {
      case 'string':
        return { kind: 'string', value: token.value ?? '', offset };
      case 'number':
        return { kind: 'number', value: Number(token.text), offset };
      case 'date':
        return { kind: 'date', value: token.text, offset };
      case 'datetime': {
        const ms = parseDateTime(token.text);
        if (ms === null) throw this.unexpected(token);
        return { kind: 'datetime', ms, text: token.text, offset };
      }
      case 'identifier':
        if (token.upper === 'NULL') return { kind: 'null', offset };
        if (token.upper === 'TRUE' || token.upper === 'FALSE')
          return { kind: 'boolean', value: token.upper === 'TRUE', offset };
        if (isDateLiteralName(token.upper)) return this.dateLiteral(token);
        break;
    }
    throw this.unexpected(token);
  }

  private dateLiteral(token: Token): Literal {
    if (!takesN(token.upper))
      return { kind: 'dateLiteral', name: token.upper, n: null, offset: token.offset };
    this.expectPunctuation(':');
    const n = this.next();
    if (n.kind !== 'number' || !/^\d+$/.test(n.text)) throw this.unexpected(n);
    return { kind: 'dateLiteral', name: token.upper, n: Number(n.text), offset: token.offset };
  }

  private orderList(): OrderItem[] {
    const items: OrderItem[] = [];
    do {
      const path = this.fieldPath();
      let descending = false;
      if (this.acceptKeyword('DESC')) descending = true;
      else this.acceptKeyword('ASC');
      let nullsFirst = !descending;
      if (this.acceptKeyword('NULLS')) {
        const which = this.next();
        if (which.upper !== 'FIRST' && which.upper !== 'LAST') throw this.unexpected(which);
        nullsFirst = which.upper === 'FIRST';
      }
      items.push({ path, descending, nullsFirst });
    } while (this.acceptPunctuation(','));
    return items;
  }

  private limitValue(): number {
    const token = this.next();
    if (token.kind !== 'number' || !/^\d+$/.test(token.text)) throw this.unexpected(token);
    return Number(token.text);
  }

  private fieldPath(): FieldPath {
    const first = this.expectIdentifier();
    const parts = [first.text];
    while (this.peek().text === '.') {
      this.position++;
      parts.push(this.expectIdentifier().text);
    }
    return { parts, offset: first.offset };
  }

  private expectIdentifier(): Token {
    const token = this.next();
    if (token.kind !== 'identifier' || CLAUSE_KEYWORDS.has(token.upper)) throw this.unexpected(token);
    return token;
  }

  private expectKeyword(keyword: string): void {
    const token = this.next();
    if (token.kind !== 'identifier' || token.upper !== keyword) throw this.unexpected(token);
  }

  private acceptKeyword(keyword: string): boolean {
    const token = this.peek();
    if (token.kind === 'identifier' && token.upper === keyword) {
      this.position++;
      return true;
    }
    return false;
  }

  private expectPunctuation(text: string): void {
    const token = this.next();
    if (token.kind !== 'punctuation' || token.text !== text) throw this.unexpected(token);
  }

  private acceptPunctuation(text: string): boolean {
    if (this.peek().kind === 'punctuation' && this.peek().text === text) {
      this.position++;
      return true;
    }
    return false;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.position + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.position++;
    return token;
  }

  private unexpected(token: Token) {
    return soqlError(this.soql, token.offset, `unexpected token: ${token.text}`);
  }
}
