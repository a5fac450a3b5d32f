// Syntax tree of Temporal's list filter, before attribute names are resolved.

export type Literal =
  { kind: 'string'; value: string } | { kind: 'int'; value: bigint } | { kind: 'float'; value: number } | { kind: 'bool'; value: boolean } | { kind: 'null' };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type PrefixOperator = 'starts_with' | 'not starts_with';

/**
 * A filter condition over attributes A and values V: names and literals as parsed, resolved
 * attributes and typed values once bound.
 */
export type ConditionOf<A, V, Operator extends string> =
  | { kind: 'and' | 'or'; left: ConditionOf<A, V, Operator>; right: ConditionOf<A, V, Operator> }
  | { kind: 'not'; operand: ConditionOf<A, V, Operator> }
  | { kind: 'compare'; attr: A; operator: Operator; value: V }
  | { kind: 'in'; attr: A; negated: boolean; values: V[] }
  | { kind: 'between'; attr: A; negated: boolean; from: V; to: V }
  | { kind: 'isNull'; attr: A; negated: boolean };

/** As parsed. LIKE is parsed only to be refused with Temporal's "operator not supported". */
export type Condition = ConditionOf<string, Literal, ComparisonOperator | PrefixOperator | 'like' | 'not like'>;

export interface OrderTerm {
  attr: string;
  descending: boolean;
}

export interface ParsedQuery {
  where?: Condition;
  groupBy: string[];
  orderBy: OrderTerm[];
}
