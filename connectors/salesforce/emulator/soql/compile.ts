import { toCaseSafeId } from '../ids.ts';
import type { FieldDef, FieldType, ObjectDef } from '../schema/field-def.ts';
import type { OrgSchema } from '../schema/org-schema.ts';
import type { FieldValue, RecordRef, SObjectRecord } from '../store/sobject-record.ts';
import { formatDateTime } from '../wire-format.ts';
import type { ComparisonOperator, Condition, FieldPath, Literal, OrderItem, SoqlQuery } from './ast.ts';
import { dateLiteralRange, type OrgCalendar } from './date-literals.ts';
import { soqlError } from './soql-error.ts';

/**
 * Binds a parsed query to the org schema (INVALID_TYPE / INVALID_FIELD worded like Salesforce)
 * and compiles it into plain functions: a row filter, a sort and column getters. Datetimes and
 * dates are compared in their stored string form, so filtering never parses a date.
 */

/** One selected (or filtered, or sorted) field, possibly through parent relationships. */
export interface Column {
  /** Canonical dotted name: 'Owner.Name'. */
  name: string;
  /** The lookups walked to reach the field, in order (OwnerId for Owner.Name). */
  relationships: FieldDef[];
  field: FieldDef;
}

export interface CompiledQuery {
  object: ObjectDef;
  countOnly: boolean;
  columns: Column[];
  filter: ((record: SObjectRecord) => boolean) | null;
  /** The rows in ORDER BY order (a new array). */
  sort: ((rows: SObjectRecord[]) => SObjectRecord[]) | null;
  limit: number | null;
  valueOf(column: Column, record: SObjectRecord): FieldValue;
  /** The parent record a column's first relationship points at, with its actual type. */
  parentOf(relationship: FieldDef, record: SObjectRecord): RecordRef | undefined;
}

type Category = 'text' | 'id' | 'boolean' | 'number' | 'date' | 'datetime';

const CATEGORY: Record<FieldType, Category> = {
  id: 'id',
  reference: 'id',
  string: 'text',
  textarea: 'text',
  email: 'text',
  phone: 'text',
  url: 'text',
  picklist: 'text',
  multipicklist: 'text',
  combobox: 'text',
  boolean: 'boolean',
  int: 'number',
  double: 'number',
  currency: 'number',
  percent: 'number',
  date: 'date',
  datetime: 'datetime',
};

const TYPE_WORD: Record<Category, string> = {
  text: 'string',
  id: 'id',
  boolean: 'boolean',
  number: 'double',
  date: 'date',
  datetime: 'dateTime',
};

export interface CompileContext {
  schema: OrgSchema;
  calendar: OrgCalendar;
  resolve(id: string): RecordRef | undefined;
}

export function compileQuery(query: SoqlQuery, context: CompileContext): CompiledQuery {
  const { schema } = context;
  const object = schema.object(query.from.name);
  if (!object) {
    throw soqlError(
      query.soql,
      query.from.offset,
      `sObject type '${query.from.name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
      'INVALID_TYPE',
    );
  }
  const bind = (path: FieldPath) => bindPath(query.soql, schema, object, path);
  const valueOf = (column: Column, record: SObjectRecord): FieldValue => {
    let current: SObjectRecord | undefined = record;
    for (const relationship of column.relationships) {
      const id: FieldValue | undefined = current[relationship.name];
      current = typeof id === 'string' ? context.resolve(id)?.record : undefined;
      if (!current) return null;
    }
    return current[column.field.name] ?? null;
  };
  const compiler = { soql: query.soql, calendar: context.calendar, bind, valueOf };
  return {
    object,
    countOnly: query.select.some((item) => item.kind === 'count'),
    columns: query.select.flatMap((item) => (item.kind === 'field' ? [bind(item.path)] : [])),
    filter: query.where ? compileCondition(query.where, compiler) : null,
    sort: query.orderBy.length > 0 ? compileSort(query.orderBy, compiler) : null,
    limit: query.limit,
    valueOf,
    parentOf(relationship, record) {
      const id = record[relationship.name];
      return typeof id === 'string' ? context.resolve(id) : undefined;
    },
  };
}

function bindPath(soql: string, schema: OrgSchema, object: ObjectDef, path: FieldPath): Column {
  const relationships: FieldDef[] = [];
  let types = [object.name];
  for (const part of path.parts.slice(0, -1)) {
    const relationship = types
      .map((type) => schema.relationship(type, part))
      .find((def) => def !== undefined);
    if (!relationship) {
      throw soqlError(
        soql,
        path.offset,
        `Didn't understand relationship '${part}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        'INVALID_FIELD',
      );
    }
    relationships.push(relationship);
    types = relationship.referenceTo;
  }
  const fieldName = path.parts[path.parts.length - 1]!;
  const field = types.map((type) => schema.field(type, fieldName)).find((def) => def !== undefined);
  if (!field) {
    const entity = types.length === 1 ? types[0]! : 'Name';
    throw soqlError(
      soql,
      path.offset,
      `No such column '${fieldName}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      'INVALID_FIELD',
    );
  }
  const name = [...relationships.map((r) => r.relationshipName!), field.name].join('.');
  return { name, relationships, field };
}

interface Compiler {
  soql: string;
  calendar: OrgCalendar;
  bind(path: FieldPath): Column;
  valueOf(column: Column, record: SObjectRecord): FieldValue;
}

type Predicate = (record: SObjectRecord) => boolean;
type Matcher = (value: FieldValue) => boolean;

function compileCondition(condition: Condition, compiler: Compiler): Predicate {
  switch (condition.kind) {
    case 'and': {
      const parts = condition.operands.map((c) => compileCondition(c, compiler));
      return (record) => parts.every((p) => p(record));
    }
    case 'or': {
      const parts = condition.operands.map((c) => compileCondition(c, compiler));
      return (record) => parts.some((p) => p(record));
    }
    case 'not': {
      const inner = compileCondition(condition.operand, compiler);
      return (record) => !inner(record);
    }
    case 'compare':
    case 'in': {
      const column = compiler.bind(condition.path);
      const matcher =
        condition.kind === 'compare'
          ? compileMatcher(column, condition.path, condition.operator, condition.value, compiler)
          : compileIn(column, condition.path, condition.values, condition.negated, compiler);
      if (column.relationships.length === 0) {
        const name = column.field.name;
        return (record) => matcher(record[name] ?? null);
      }
      return (record) => matcher(compiler.valueOf(column, record));
    }
  }
}

function compileIn(
  column: Column,
  path: FieldPath,
  values: Literal[],
  negated: boolean,
  compiler: Compiler,
): Matcher {
  const matchers = values.map((value) => compileMatcher(column, path, '=', value, compiler));
  return negated ? (v) => !matchers.some((m) => m(v)) : (v) => matchers.some((m) => m(v));
}

function compileMatcher(
  column: Column,
  path: FieldPath,
  operator: ComparisonOperator,
  literal: Literal,
  compiler: Compiler,
): Matcher {
  const category = CATEGORY[column.field.type];
  if (literal.kind === 'null') {
    if (operator === '=') return (v) => v === null;
    if (operator === '!=') return (v) => v !== null;
    return () => false;
  }
  // Text and id values must be quoted; every other type must not be.
  const typeError = () =>
    soqlError(
      compiler.soql,
      path.offset,
      `value of filter criterion for field '${column.field.name}' must be of type ${TYPE_WORD[category]} and should ${category === 'text' || category === 'id' ? '' : 'not '}be enclosed in quotes`,
      'INVALID_FIELD',
    );
  if (operator === 'LIKE') {
    if (category !== 'text') {
      throw soqlError(
        compiler.soql,
        path.offset,
        `invalid operator on ${column.field.name} field`,
        'INVALID_QUERY_FILTER_OPERATOR',
      );
    }
    if (literal.kind !== 'string') throw typeError();
    const pattern = likeToRegExp(literal.value);
    return (v) => typeof v === 'string' && pattern.test(v);
  }
  switch (category) {
    case 'text':
      if (literal.kind !== 'string') throw typeError();
      return compareWith(operator, literal.value.toLowerCase(), (v) =>
        typeof v === 'string' ? v.toLowerCase() : null,
      );
    case 'id': {
      if (literal.kind !== 'string') throw typeError();
      const id = toCaseSafeId(literal.value);
      if (id === null) {
        throw soqlError(
          compiler.soql,
          literal.offset,
          `invalid ID field: ${literal.value}`,
          'INVALID_QUERY_FILTER_OPERATOR',
        );
      }
      return compareWith(operator, id, identity);
    }
    case 'boolean':
      if (literal.kind !== 'boolean') throw typeError();
      return compareWith(operator, literal.value, identity);
    case 'number':
      if (literal.kind !== 'number') throw typeError();
      return compareWith(operator, literal.value, identity);
    case 'date':
    case 'datetime': {
      if (literal.kind === 'dateLiteral') {
        const range = dateLiteralRange(literal.name, literal.n, compiler.calendar);
        return category === 'date'
          ? compareWithRange(operator, range.startDate, range.endDate)
          : compareWithRange(operator, range.startInstant, range.endInstant);
      }
      if (category === 'date' && literal.kind === 'date')
        return compareWith(operator, literal.value, identity);
      if (category === 'datetime' && literal.kind === 'datetime') {
        return compareWith(operator, formatDateTime(literal.ms), identity);
      }
      throw typeError();
    }
  }
}

function identity(value: FieldValue): FieldValue {
  return value;
}

function compareWith<T extends string | number | boolean>(
  operator: Exclude<ComparisonOperator, 'LIKE'>,
  target: T,
  normalize: (value: FieldValue) => FieldValue,
): Matcher {
  switch (operator) {
    case '=':
      return (v) => normalize(v) === target;
    case '!=':
      return (v) => normalize(v) !== target;
    case '<':
      return (v) => v !== null && (normalize(v) as T) < target;
    case '<=':
      return (v) => v !== null && (normalize(v) as T) <= target;
    case '>':
      return (v) => v !== null && (normalize(v) as T) > target;
    case '>=':
      return (v) => v !== null && (normalize(v) as T) >= target;
  }
}

/** A relative date literal is a span [start, end): `=` means inside it, `<` before it… */
function compareWithRange(operator: ComparisonOperator, start: string, end: string): Matcher {
  const inside = (v: FieldValue) => typeof v === 'string' && v >= start && v < end;
  switch (operator) {
    case '=':
      return inside;
    case '!=':
      return (v) => !inside(v);
    case '<':
      return (v) => typeof v === 'string' && v < start;
    case '<=':
      return (v) => typeof v === 'string' && v < end;
    case '>':
      return (v) => typeof v === 'string' && v >= end;
    default:
      return (v) => typeof v === 'string' && v >= start;
  }
}

function likeToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[++i];
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function compileSort(items: OrderItem[], compiler: Compiler) {
  const keys = items.map((item) => {
    const column = compiler.bind(item.path);
    const text = CATEGORY[column.field.type] === 'text';
    const direction = item.descending ? -1 : 1;
    const nulls = item.nullsFirst ? -1 : 1;
    const key = (record: SObjectRecord): FieldValue => {
      const value =
        column.relationships.length === 0
          ? (record[column.field.name] ?? null)
          : compiler.valueOf(column, record);
      return text && typeof value === 'string' ? value.toLowerCase() : value;
    };
    return { key, direction, nulls };
  });
  const width = keys.length;
  return (rows: SObjectRecord[]): SObjectRecord[] => {
    // Read every key once into one flat array and sort row numbers: no per-row allocations, and a
    // key is read n times, not n·log n times. Ties keep table order (row number).
    const flat: FieldValue[] = new Array<FieldValue>(rows.length * width);
    for (let row = 0; row < rows.length; row++) {
      for (let k = 0; k < width; k++) flat[row * width + k] = keys[k]!.key(rows[row]!);
    }
    const order = Array.from({ length: rows.length }, (_, row) => row);
    order.sort((a, b) => {
      for (let k = 0; k < width; k++) {
        const x = flat[a * width + k] as FieldValue;
        const y = flat[b * width + k] as FieldValue;
        if (x === y) continue;
        const { direction, nulls } = keys[k]!;
        if (x === null) return nulls;
        if (y === null) return -nulls;
        return (x < y ? -1 : 1) * direction;
      }
      return a - b;
    });
    return order.map((row) => rows[row]!);
  };
}
