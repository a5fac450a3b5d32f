import { isAggregateQuery, itemTypeOf, type Expression, type FunctionName, type ItemType, type Query } from './ast.js';
import { aggregateRows, setOwn } from './evaluator-groups.js';
import { arithmetic, compareValues, isMember, isPrimitiveType, typeOfValue, valueAt } from './evaluator-values.js';
import { parseQuery } from './parser.js';

/**
 * The reference semantics of the query language, evaluated in memory. It is the oracle the SQL
 * compilers are tested against and is usable for filtering a few documents; it shares only the
 * AST with the compilers.
 */
export function evaluateQuery(query: Query | string, documents: readonly unknown[]): { items: unknown[]; itemType: ItemType } {
  const parsed = typeof query === 'string' ? parseQuery(query) : query;
  const matching = documents.filter((document) => matchesCondition(parsed.where, document));
  const rows = isAggregateQuery(parsed) ? aggregateRows(parsed, matching) : matching.map((document) => project(parsed, document));
  return { items: parsed.top === undefined ? rows : rows.slice(0, parsed.top), itemType: itemTypeOf(parsed) };
}

/** A WHERE clause holds only when it evaluates to boolean true; no clause matches everything. */
export function matchesCondition(where: Expression | undefined, document: unknown): boolean {
  return where === undefined || evaluateExpression(where, document) === true;
}

function project(query: Query, document: unknown): unknown {
  if (query.select === '*') return document;
  const row: Record<string, unknown> = {};
  for (const projection of query.select) {
    const value = valueAt(document, projection.path!);
    if (value !== undefined) setOwn(row, projection.alias, value);
  }
  return row;
}

/** Three-valued: true, false, or undefined for anything that is not a boolean. */
const asBoolean = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);

export function evaluateExpression(expression: Expression, document: unknown): unknown {
  const evaluate = (e: Expression) => evaluateExpression(e, document);
  switch (expression.type) {
    case 'constant':
      return expression.value;
    case 'path':
      return valueAt(document, expression.path);
    case 'negate': {
      const value = evaluate(expression.operand);
      return typeof value === 'number' ? -value : undefined;
    }
    case 'not': {
      const value = asBoolean(evaluate(expression.operand));
      return value === undefined ? undefined : !value;
    }
    case 'arithmetic':
      return arithmetic(expression.operator, evaluate(expression.left), evaluate(expression.right));
    case 'comparison':
      return compareValues(expression.operator, evaluate(expression.left), evaluate(expression.right));
    case 'logical': {
      const values = expression.operands.map((operand) => asBoolean(evaluate(operand)));
      const decisive = expression.operator === 'AND' ? false : true;
      if (values.includes(decisive)) return decisive;
      return values.includes(undefined) ? undefined : !decisive;
    }
    case 'membership': {
      const member = isMember(evaluate(expression.operand), expression.values);
      return member === undefined ? undefined : member !== expression.negated;
    }
    case 'call':
      return callFunction(expression.name, expression.args.map(evaluate));
  }
}

function callFunction(name: FunctionName, args: unknown[]): boolean | undefined {
  const [first, second] = args;
  const type = typeOfValue(first);
  switch (name) {
    case 'IS_DEFINED':
      return type !== 'undefined';
    case 'IS_ARRAY':
      return type === 'array';
    case 'IS_BOOL':
      return type === 'boolean';
    case 'IS_NULL':
      return type === 'null';
    case 'IS_NUMBER':
      return type === 'number';
    case 'IS_OBJECT':
      return type === 'object';
    case 'IS_PRIMITIVE':
      return isPrimitiveType(type);
    case 'IS_STRING':
      return type === 'string';
    case 'STARTSWITH':
    case 'ENDSWITH':
      if (typeof first !== 'string' || typeof second !== 'string') return undefined;
      return name === 'STARTSWITH' ? first.startsWith(second) : first.endsWith(second);
  }
}
