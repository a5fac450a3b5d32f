import type { ArithmeticOperator, ComparisonOperator } from './ast.js';
import { ARITHMETIC_HUGE, ARITHMETIC_TINY, EXACT_INTEGER_LIMIT } from './limits.js';

/**
 * The value semantics of the query language, in JavaScript (the reference the SQL must match).
 * Values are JSON values plus `undefined` (a missing property).
 */
export type ValueType = 'undefined' | 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function typeOfValue(value: unknown): ValueType {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'boolean' || type === 'number' || type === 'string' ? type : 'object';
}

export const isPrimitiveType = (type: ValueType): boolean => type === 'null' || type === 'boolean' || type === 'number' || type === 'string';

/** Property lookup: only own properties of objects (arrays have no named properties here). */
export function valueAt(document: unknown, path: readonly string[]): unknown {
  let current = document;
  for (const key of path) {
    if (typeOfValue(current) !== 'object' || !Object.hasOwn(current as object, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

// UTF-16 surrogates encode code points above U+FFFF, which sort after U+E000–U+FFFF by code point.
const codePointRank = (unit: number): number => (unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800);

/** Code point order, which is also UTF-8 byte order (SQLite BINARY, PostgreSQL COLLATE "C"). */
export function compareStrings(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Orders two primitives of the same type: null = null, false < true, numbers, strings by code point. */
function orderSameType(a: unknown, b: unknown): number {
  if (typeof a === 'string') return compareStrings(a, b as string);
  if (typeof a === 'number' || typeof a === 'boolean') return Number(a) - Number(b);
  return 0;
}

/**
 * Comparisons are defined only between primitives of the same type; anything else (a missing
 * property, an object, a number against a string, …) is undefined, so neither `=` nor `!=` holds.
 */
export function compareValues(operator: ComparisonOperator, a: unknown, b: unknown): boolean | undefined {
  const type = typeOfValue(a);
  if (!isPrimitiveType(type) || type !== typeOfValue(b)) return undefined;
  const order = orderSameType(a, b);
  switch (operator) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
    case '<=':
      return order <= 0;
    case '>=':
      return order >= 0;
  }
}

/** Membership in an array constant: defined for primitives only, like `=`. */
export function isMember(value: unknown, list: readonly unknown[]): boolean | undefined {
  if (!isPrimitiveType(typeOfValue(value))) return undefined;
  return list.some((item) => compareValues('=', value, item) === true);
}

const HUGE = ARITHMETIC_HUGE;
const TINY = ARITHMETIC_TINY;

/**
 * Arithmetic on numbers (anything else gives undefined). Each operator is defined only where its
 * double result can neither overflow nor underflow to zero, tested with these exact IEEE operations
 * (the SQL guards perform the same ones, so both sides decide identically):
 *   + -  both |operands| ≤ HUGE
 *   *    (|b| ≤ 1 or |a| ≤ HUGE/|b|) and (a = 0 or b = 0 or |b| ≥ 1 or |a| ≥ TINY/|b|)
 *   /    b ≠ 0 and (|b| ≥ 1 or |a| ≤ HUGE·|b|) and (a = 0 or |b| ≤ 1 or |a| ≥ TINY·|b|)
 *   %    integer operands with |a|, |b| ≤ 2^53 and b ≠ 0; the sign follows the dividend
 */
export function arithmetic(operator: ArithmeticOperator, a: unknown, b: unknown): number | undefined {
  if (typeof a !== 'number' || typeof b !== 'number') return undefined;
  const absA = Math.abs(a);
  const absB = Math.abs(b);
  switch (operator) {
    case '+':
    case '-':
      if (absA > HUGE || absB > HUGE) return undefined;
      return operator === '+' ? a + b : a - b;
    case '*': {
      const bounded = absB <= 1 || absA <= HUGE / absB;
      const noUnderflow = a === 0 || b === 0 || absB >= 1 || absA >= TINY / absB;
      return bounded && noUnderflow ? a * b : undefined;
    }
    case '/': {
      const bounded = absB >= 1 || absA <= HUGE * absB;
      const noUnderflow = a === 0 || absB <= 1 || absA >= TINY * absB;
      return b !== 0 && bounded && noUnderflow ? a / b : undefined;
    }
    case '%': {
      const exact = Number.isInteger(a) && Number.isInteger(b) && absA <= EXACT_INTEGER_LIMIT && absB <= EXACT_INTEGER_LIMIT;
      return exact && b !== 0 ? a % b : undefined;
    }
  }
}
