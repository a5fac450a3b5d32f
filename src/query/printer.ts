import type { Collection, ConstantValue, Expression, Projection, Query, QueryCondition } from './ast.js';
import { isKeyword } from './names.js';

/**
 * Query text for an AST; parsing the result gives the same AST back. Expressions are fully
 * parenthesised, so the text does not depend on operator precedence.
 */
export function printQuery(query: Query): string {
  const parts = ['SELECT'];
  if (query.top !== undefined) parts.push(`TOP ${query.top}`);
  parts.push(query.select === '*' ? '*' : query.select.map((p) => printProjection(p, query.collection)).join(', '));
  parts.push('FROM', query.collection);
  if (query.where) parts.push('WHERE', printExpression(query.where, query.collection));
  if (query.groupBy) parts.push('GROUP BY', printPath(query.groupBy, query.collection));
  return parts.join(' ');
}

export function printCondition(condition: QueryCondition): string {
  const where = condition.where && printExpression(condition.where, condition.collection);
  if (condition.collection === 'devices') return where ?? '*';
  return where ? `FROM ${condition.collection} WHERE ${where}` : `FROM ${condition.collection}`;
}

export function printExpression(expression: Expression, collection: Collection): string {
  const print = (e: Expression): string => {
    switch (e.type) {
      case 'constant':
        return printConstant(e.value);
      case 'path':
        return printPath(e.path, collection);
      case 'negate':
        return `(-${print(e.operand)})`;
      case 'not':
        return `(NOT ${print(e.operand)})`;
      case 'arithmetic':
      case 'comparison':
        return `(${print(e.left)} ${e.operator} ${print(e.right)})`;
      case 'logical':
        return `(${e.operands.map(print).join(` ${e.operator} `)})`;
      case 'membership':
        return `(${print(e.operand)} ${e.negated ? 'NIN' : 'IN'} ${printConstant(e.values)})`;
      case 'call':
        return `${e.name}(${e.args.map(print).join(', ')})`;
    }
  };
  return print(expression);
}

export function printConstant(value: ConstantValue): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(printConstant).join(', ')}]`;
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
const printName = (name: string): string => (IDENTIFIER.test(name) && !isKeyword(name) ? name : `[[${name}]]`);

function printPath(path: readonly string[], collection: Collection): string {
  const segments = collection === 'devices.jobs' ? ['devices', 'jobs', ...path] : path;
  return segments.map(printName).join('.');
}

function printProjection(projection: Projection, collection: Collection): string {
  const value =
    projection.type === 'path'
      ? printPath(projection.path, collection)
      : `${projection.name}(${projection.path ? printPath(projection.path, collection) : ''})`;
  return `${value} AS ${printName(projection.alias)}`;
}
