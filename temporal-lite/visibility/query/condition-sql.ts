// Bound filter → SQL over vis_executions (alias e) and the values tables.
//
// Custom attributes live in other tables, yet must behave like the nullable columns of
// Temporal's SQL visibility, where NOT (Attr = 'x') does not match rows without Attr. So every
// node compiles in two polarities: SQL true exactly when the condition is TRUE, or exactly when
// it is FALSE; NOT swaps them. KeywordList and Text are two-valued, as in Temporal's SQLite
// store, whose full-text matches never yield NULL.
import type { AttributeDef } from '../attributes.js';
import { canonicalDatetime, msBounds } from '../datetime.js';
import { textTokens } from '../text-tokens.js';
import type { BoundCondition, QueryValue } from './binder.js';
import type { SqlParams } from './sql-params.js';

type Leaf = Exclude<BoundCondition, { kind: 'and' | 'or' | 'not' }>;

export class ConditionCompiler {
  constructor(private readonly params: SqlParams) {}

  private param(value: unknown): string {
    return this.params.add(value);
  }

  /** SQL true exactly when `cond` is TRUE (want = true) or FALSE (want = false). */
  compile(cond: BoundCondition, want = true): string {
    switch (cond.kind) {
      case 'and':
      case 'or': {
        const joiner = (cond.kind === 'and') === want ? 'AND' : 'OR';
        return `(${this.compile(cond.left, want)} ${joiner} ${this.compile(cond.right, want)})`;
      }
      case 'not':
        return this.compile(cond.operand, !want);
      default:
        return this.leaf(cond, want);
    }
  }

  private leaf(leaf: Leaf, want: boolean): string {
    const { attr } = leaf;
    if (leaf.kind === 'isNull') {
      const present = attr.storage === 'column' ? `e.${attr.column} IS NOT NULL` : this.rowsWith(attr.attrId, '');
      return leaf.negated === want ? present : `NOT (${present})`;
    }
    if (attr.storage === 'column') {
      const predicate = this.predicate(`e.${attr.column}`, attr, leaf);
      return want ? predicate : `NOT ${predicate}`;
    }
    if (attr.type === 'KeywordList' || attr.type === 'Text') {
      const positive = leaf.kind === 'in' ? !leaf.negated : leaf.kind === 'compare' && leaf.operator === '=';
      const matches = attr.type === 'Text' ? this.textMatch(attr.attrId, leaf) : this.listMatch(attr.attrId, leaf);
      return positive === want ? matches : `NOT (${matches})`;
    }
    const predicate = this.predicate('v', attr, leaf);
    return this.rowsWith(attr.attrId, want ? ` AND ${predicate}` : ` AND NOT ${predicate}`);
  }

  /** Rows having a value of the attribute (that satisfies `extra`, SQL on column v). */
  private rowsWith(attrId: number, extra: string): string {
    return `e.row_id IN (SELECT row_id FROM vis_values WHERE attr_id = ${this.param(attrId)}${extra})`;
  }

  private listMatch(attrId: number, leaf: Leaf): string {
    const values = leaf.kind === 'in' ? leaf.values : leaf.kind === 'compare' ? [leaf.value] : [];
    return this.rowsWith(attrId, ` AND v IN (${values.map((value) => this.param(value)).join(', ')})`);
  }

  /** Rows whose text contains every word of the query text. */
  private textMatch(attrId: number, leaf: Leaf): string {
    const words = leaf.kind === 'compare' ? textTokens(stringValue(leaf.value)) : [];
    const id = this.param(attrId);
    const list = words.map((word) => this.param(word)).join(', ');
    return `e.row_id IN (SELECT row_id FROM vis_text_tokens WHERE attr_id = ${id} AND token IN (${list}) GROUP BY row_id HAVING COUNT(*) = ${this.param(words.length)})`;
  }

  /** A comparison on one stored value: `column` is a column of vis_executions, or v of the values table. */
  private predicate(column: string, attr: AttributeDef, leaf: Exclude<Leaf, { kind: 'isNull' }>): string {
    if (attr.storage === 'column' && (attr.kind === 'timeMs' || attr.kind === 'durationMs')) {
      return this.millisecondPredicate(column, leaf);
    }
    const sql = (value: QueryValue) => this.param(storedForm(attr, value));
    switch (leaf.kind) {
      case 'between':
        return `(${column} ${leaf.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${sql(leaf.from)} AND ${sql(leaf.to)})`;
      case 'in':
        return `(${column} ${leaf.negated ? 'NOT IN' : 'IN'} (${leaf.values.map(sql).join(', ')}))`;
      case 'compare':
        if (leaf.operator === 'starts_with' || leaf.operator === 'not starts_with') {
          const range = this.prefixRange(column, stringValue(leaf.value));
          return leaf.operator === 'starts_with' ? range : `(NOT ${range})`;
        }
        return `(${column} ${leaf.operator} ${sql(leaf.value)})`;
    }
  }

  /**
   * Strings with a prefix, as a range an index can serve (LIKE would ignore case for ASCII in
   * SQLite, and Temporal's prefix match is exact): prefix <= x < prefix with its last code
   * point incremented. Code point order is UTF-8 byte order, which is how SQLite compares.
   */
  private prefixRange(column: string, prefix: string): string {
    const chars = [...prefix];
    while (chars.length > 0 && chars[chars.length - 1].codePointAt(0) === 0x10ffff) chars.pop();
    const lower = `${column} >= ${this.param(prefix)}`;
    if (chars.length === 0) return `(${lower})`;
    let last = chars.pop()!.codePointAt(0)! + 1;
    if (last === 0xd800) last = 0xe000; // skip surrogates, which never occur in strings
    return `(${lower} AND ${column} < ${this.param(chars.join('') + String.fromCodePoint(last))})`;
  }

  /**
   * Times and durations are stored in whole milliseconds but queried in nanoseconds: each
   * operator is rewritten on integers so that it selects exactly what comparing nanoseconds would.
   * "x <> x" is FALSE (NULL for NULL x) and "x = x" TRUE, for values no millisecond can equal.
   */
  private millisecondPredicate(column: string, leaf: Exclude<Leaf, { kind: 'isNull' }>): string {
    const param = (ms: number) => this.param(ms);
    const exactMs = (values: QueryValue[]) =>
      values
        .map((value) => msBounds(bigintValue(value)))
        .filter((bounds) => bounds.exact)
        .map((bounds) => bounds.floor);
    switch (leaf.kind) {
      case 'between': {
        const range = `(${column} >= ${param(msBounds(bigintValue(leaf.from)).ceil)} AND ${column} <= ${param(msBounds(bigintValue(leaf.to)).floor)})`;
        return leaf.negated ? `(NOT ${range})` : range;
      }
      case 'in': {
        const exact = exactMs(leaf.values);
        if (exact.length === 0) return leaf.negated ? `(${column} = ${column})` : `(${column} <> ${column})`;
        return `(${column} ${leaf.negated ? 'NOT IN' : 'IN'} (${exact.map(param).join(', ')}))`;
      }
      case 'compare': {
        const bounds = msBounds(bigintValue(leaf.value));
        switch (leaf.operator) {
          case '>':
            return `(${column} > ${param(bounds.floor)})`;
          case '>=':
            return `(${column} >= ${param(bounds.ceil)})`;
          case '<':
            return `(${column} < ${param(bounds.ceil)})`;
          case '<=':
            return `(${column} <= ${param(bounds.floor)})`;
          case '=':
            return bounds.exact ? `(${column} = ${param(bounds.floor)})` : `(${column} <> ${column})`;
          default:
            return bounds.exact ? `(${column} <> ${param(bounds.floor)})` : `(${column} = ${column})`;
        }
      }
    }
  }
}

/** A query value in the form its attribute is stored in. */
function storedForm(attr: AttributeDef, value: QueryValue): unknown {
  if (attr.type === 'Bool') return value ? 1 : 0;
  if (attr.type === 'Datetime') return canonicalDatetime(bigintValue(value));
  return value;
}

// The binder gives each attribute values of its type; these say which type a use relies on.
function stringValue(value: QueryValue): string {
  if (typeof value !== 'string') throw new Error(`bound query value ${String(value)} is not a string`);
  return value;
}

function bigintValue(value: QueryValue): bigint {
  if (typeof value !== 'bigint') throw new Error(`bound query value ${String(value)} is not an integer`);
  return value;
}
