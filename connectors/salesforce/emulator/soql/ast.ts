/** The parsed form of the supported SOQL subset. Offsets point into the statement for errors. */

export interface FieldPath {
  /** As written: ['Owner', 'Name']. */
  parts: string[];
  offset: number;
}

export type SelectItem = { kind: 'field'; path: FieldPath } | { kind: 'count'; offset: number };

export type Literal =
  | { kind: 'string'; value: string; offset: number }
  | { kind: 'number'; value: number; offset: number }
  | { kind: 'boolean'; value: boolean; offset: number }
  | { kind: 'null'; offset: number }
  | { kind: 'date'; value: string; offset: number }
  /** `ms` is the instant; `text` as written. */
  | { kind: 'datetime'; ms: number; text: string; offset: number }
  /** TODAY, LAST_N_DAYS:30, THIS_FISCAL_QUARTER… */
  | { kind: 'dateLiteral'; name: string; n: number | null; offset: number };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';

export type Condition =
  | { kind: 'and' | 'or'; operands: Condition[] }
  | { kind: 'not'; operand: Condition }
  | { kind: 'compare'; path: FieldPath; operator: ComparisonOperator; value: Literal }
  | { kind: 'in'; path: FieldPath; negated: boolean; values: Literal[] };

export interface OrderItem {
  path: FieldPath;
  descending: boolean;
  nullsFirst: boolean;
}

export interface SoqlQuery {
  soql: string;
  select: SelectItem[];
  from: { name: string; offset: number };
  where: Condition | null;
  orderBy: OrderItem[];
  limit: number | null;
}
