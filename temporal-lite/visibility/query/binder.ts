// Resolves a parsed filter against a namespace's search attributes: checks each operator is
// allowed for the attribute's type and converts each literal to the attribute's value type.
// Rules and messages follow Temporal's query converter (store/query/converter.go).
import { prefixToggled, type AttributeDef } from '../attributes.js';
import { parseRfc3339 } from '../datetime.js';
import { parseDurationNanos } from '../duration.js';
import { invalidQuery } from '../errors.js';
import { isStatusNumber, statusNumber } from '../execution-status.js';
import type { AttributeLookup } from '../registry.js';
import { textTokens } from '../text-tokens.js';
import type { ValueType } from '../value-types.js';
import type { ComparisonOperator, Condition, ConditionOf, Literal, ParsedQuery, PrefixOperator } from './ast.js';

/**
 * A literal converted for its attribute: string (Keyword, Text, KeywordList), number
 * (ExecutionStatus), bigint or number (Int, Double), boolean (Bool), and bigint epoch
 * nanoseconds for Datetime and nanoseconds for ExecutionDuration.
 */
export type QueryValue = string | number | bigint | boolean;

export type BoundCondition = ConditionOf<AttributeDef, QueryValue, ComparisonOperator | PrefixOperator>;

export interface BoundOrder {
  attr: AttributeDef;
  descending: boolean;
}

export interface BoundQuery {
  where?: BoundCondition;
  /** Set for "GROUP BY ExecutionStatus", the only grouping Temporal allows on workflows. */
  groupByStatus: boolean;
  orderBy: BoundOrder[];
}

const KEYWORD_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'starts_with', 'not starts_with'];
const OPERATORS_BY_TYPE: Record<ValueType, string[]> = {
  Keyword: KEYWORD_OPERATORS,
  KeywordList: ['=', '!=', 'in', 'not in'],
  Text: ['=', '!='],
  Int: ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in'],
  Double: ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in'],
  Bool: ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in'],
  Datetime: ['=', '!=', '<', '<=', '>', '>=', 'in', 'not in'],
};
const RANGE_TYPES: ValueType[] = ['Datetime', 'Double', 'Int', 'Keyword'];
const NOT_SORTABLE: ValueType[] = ['Text', 'KeywordList'];

function unsupportedOperator(attr: AttributeDef, operator: string) {
  return invalidQuery(`operation is not supported: operator '${operator.toUpperCase()}' not supported for ${attr.type} type search attribute '${attr.name}'`);
}

/** The literal as Go's %#v would print it, with its Go type, for value-type errors. */
function describe(literal: Literal): string {
  switch (literal.kind) {
    case 'string':
      return `${JSON.stringify(literal.value)} (type: string)`;
    case 'int':
      return `${literal.value} (type: int64)`;
    case 'float':
      return `${literal.value} (type: float64)`;
    case 'bool':
      return `${literal.value} (type: bool)`;
    case 'null':
      return 'NULL';
  }
}

export class Binder {
  constructor(private readonly lookup: AttributeLookup) {}

  bind(query: ParsedQuery): BoundQuery {
    const where = query.where && this.condition(query.where);
    if (query.groupBy.length > 1) {
      throw invalidQuery("operation is not supported: 'GROUP BY' clause supports only a single field");
    }
    let groupByStatus = false;
    for (const name of query.groupBy) {
      if (this.resolve(name).name !== 'ExecutionStatus') {
        throw invalidQuery(`operation is not supported: 'GROUP BY' clause is not supported for search attribute ${name}`);
      }
      groupByStatus = true;
    }
    const orderBy = query.orderBy.map(({ attr: name, descending }) => {
      const attr = this.resolve(name);
      if (NOT_SORTABLE.includes(attr.type)) {
        throw invalidQuery(`operation is not supported: unable to sort by search attribute type ${attr.type}`);
      }
      return { attr, descending };
    });
    return { where, groupByStatus, orderBy };
  }

  private resolve(name: string): AttributeDef {
    const attr = this.lookup(name) ?? this.lookup(prefixToggled(name));
    if (!attr) throw invalidQuery(`invalid expression: column name '${name}' is not a valid search attribute`);
    return attr;
  }

  private condition(condition: Condition): BoundCondition {
    switch (condition.kind) {
      case 'and':
      case 'or':
        return { kind: condition.kind, left: this.condition(condition.left), right: this.condition(condition.right) };
      case 'not':
        return { kind: 'not', operand: this.condition(condition.operand) };
      case 'isNull':
        return { kind: 'isNull', attr: this.resolve(condition.attr), negated: condition.negated };
      case 'between': {
        const attr = this.resolve(condition.attr);
        if (!RANGE_TYPES.includes(attr.type)) {
          throw invalidQuery(`invalid expression: cannot do range condition on search attribute '${attr.name}' of type ${attr.type}`);
        }
        return { kind: 'between', attr, negated: condition.negated, from: this.value(attr, condition.from), to: this.value(attr, condition.to) };
      }
      case 'in': {
        const attr = this.resolve(condition.attr);
        this.checkOperator(attr, condition.negated ? 'not in' : 'in');
        return { kind: 'in', attr, negated: condition.negated, values: condition.values.map((literal) => this.value(attr, literal)) };
      }
      case 'compare': {
        const attr = this.resolve(condition.attr);
        const operator = this.comparison(attr, condition.operator);
        const value = this.value(attr, condition.value);
        if (attr.type === 'Text' && typeof value === 'string' && textTokens(value).length === 0) {
          throw invalidQuery('invalid expression: unexpected value for Text type search attribute (no tokens found)');
        }
        return { kind: 'compare', attr, operator, value };
      }
    }
  }

  private checkOperator(attr: AttributeDef, operator: string): void {
    // ExecutionStatus is a Keyword stored as a number: prefixes of it mean nothing.
    const isStatus = attr.storage === 'column' && attr.kind === 'status';
    if (!OPERATORS_BY_TYPE[attr.type].includes(operator) || (isStatus && operator.endsWith('starts_with'))) throw unsupportedOperator(attr, operator);
  }

  /** The operator of a comparison the attribute allows (LIKE, parsed only to be refused, never is). */
  private comparison(attr: AttributeDef, operator: ComparisonOperator | PrefixOperator | 'like' | 'not like'): ComparisonOperator | PrefixOperator {
    this.checkOperator(attr, operator);
    if (operator === 'like' || operator === 'not like') throw unsupportedOperator(attr, operator);
    return operator;
  }

  private value(attr: AttributeDef, literal: Literal): QueryValue {
    if (literal.kind === 'null') throw invalidQuery('invalid expression: unexpected value NULL (use IS NULL or IS NOT NULL)');
    if (attr.storage === 'column' && attr.kind === 'status') return statusValue(literal);
    if (attr.storage === 'column' && attr.kind === 'durationMs') return durationValue(literal);
    const wrongType = () => invalidQuery(`invalid expression: invalid value type for search attribute ${attr.name} of type ${attr.type}: ${describe(literal)}`);
    switch (attr.type) {
      case 'Int':
      case 'Double':
        if (literal.kind !== 'int' && literal.kind !== 'float') throw wrongType();
        return literal.value;
      case 'Bool':
        if (literal.kind !== 'bool') throw wrongType();
        return literal.value;
      case 'Datetime':
        return datetimeValue(literal, wrongType);
      default:
        if (literal.kind !== 'string') throw wrongType();
        return literal.value;
    }
  }
}

function datetimeValue(literal: Literal, wrongType: () => Error): bigint {
  if (literal.kind === 'int') return literal.value; // Unix nanoseconds
  if (literal.kind !== 'string') throw wrongType();
  const nanos = parseRfc3339(literal.value);
  if (nanos === undefined) throw invalidQuery(`invalid expression: unable to parse datetime '${literal.value}'`);
  return nanos;
}

function statusValue(literal: Literal): number {
  if (literal.kind === 'string') {
    const status = statusNumber(literal.value);
    if (status === undefined) throw invalidQuery(`invalid expression: invalid ExecutionStatus value '${literal.value}'`);
    return status;
  }
  if (literal.kind === 'int') {
    const status = Number(literal.value);
    if (!isStatusNumber(status)) throw invalidQuery(`invalid expression: invalid ExecutionStatus value ${literal.value}`);
    return status;
  }
  throw invalidQuery(`invalid expression: unexpected value type ${describe(literal)} for search attribute ExecutionStatus`);
}

function durationValue(literal: Literal): bigint {
  if (literal.kind === 'int') return literal.value;
  const nanos = literal.kind === 'string' ? parseDurationNanos(literal.value) : undefined;
  if (nanos === undefined) {
    const shown = literal.kind === 'string' ? literal.value : describe(literal);
    throw invalidQuery(`invalid expression: invalid duration value for search attribute ExecutionDuration: ${shown}`);
  }
  return nanos;
}
