// An independent, in-memory evaluator of bound list filters over plain records: the oracle the
// SQL translation is compared with. Three-valued (Kleene) logic, NULL for missing values, as
// Temporal's SQL visibility treats nullable columns; KeywordList and Text matches are two-valued.
import type { AttributeDef } from '../../../../temporal-lite/visibility/attributes.js';
import type { BoundCondition, BoundQuery, QueryValue } from '../../../../temporal-lite/visibility/query/binder.js';
import { textTokens } from '../../../../temporal-lite/visibility/text-tokens.js';
import type { RefRecord } from './synthetic-records.js';

type Tri = boolean | null;
type Scalar = string | number | bigint | boolean;

const NANOS_PER_MS = 1_000_000n;

/** The record's value of an attribute in comparable form, or null if missing. */
function valueOf(r: RefRecord, attr: AttributeDef): Scalar | string[] | null {
  if (attr.storage === 'values') {
    const v = (r.values as Record<string, unknown>)[attr.name];
    if (v === undefined) return null;
    if (attr.type === 'KeywordList') return (v as string[]).length > 0 ? (v as string[]) : null;
    return v as Scalar;
  }
  switch (attr.name) {
    case 'WorkflowId':
      return r.workflowId;
    case 'RunId':
      return r.runId;
    case 'WorkflowType':
      return r.workflowType;
    case 'TaskQueue':
      return r.taskQueue;
    case 'ExecutionStatus':
      return r.status;
    case 'StartTime':
      return BigInt(r.startTime) * NANOS_PER_MS;
    case 'ExecutionTime':
      return BigInt(r.executionTime) * NANOS_PER_MS;
    case 'CloseTime':
      return r.closeTime === undefined ? null : BigInt(r.closeTime) * NANOS_PER_MS;
    case 'ExecutionDuration':
      return r.closeTime === undefined ? null : BigInt(Math.max(0, r.closeTime - r.executionTime)) * NANOS_PER_MS;
    case 'HistoryLength':
      return r.historyLength ?? null;
    case 'ParentWorkflowId':
      return r.parentWorkflowId ?? null;
    default:
      throw new Error(`reference evaluator does not model ${attr.name}`);
  }
}

/** Total order of comparable values: numbers and bigints numerically, strings by UTF-8 bytes. */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b));
  const num = (x: Scalar) => (typeof x === 'boolean' ? (x ? 1 : 0) : x);
  const x = num(a);
  const y = num(b);
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  const dx = Number(x);
  const dy = Number(y);
  return dx < dy ? -1 : dx > dy ? 1 : 0;
}

function queryScalar(attr: AttributeDef, v: QueryValue): Scalar {
  return attr.type === 'Bool' ? (v ? 1 : 0) : v;
}

function not(t: Tri): Tri {
  return t === null ? null : !t;
}

function leaf(r: RefRecord, c: Exclude<BoundCondition, { kind: 'and' | 'or' | 'not' }>): Tri {
  const value = valueOf(r, c.attr);
  if (c.kind === 'isNull') return (value === null) !== c.negated;
  if (c.attr.type === 'KeywordList') {
    const list = (value as string[] | null) ?? [];
    const wanted = c.kind === 'in' ? c.values : [c.kind === 'compare' ? c.value : ''];
    const contains = wanted.some((w) => list.includes(w as string));
    const positive = c.kind === 'in' ? !c.negated : c.kind === 'compare' && c.operator === '=';
    return contains === positive;
  }
  if (c.attr.type === 'Text') {
    const words = new Set(value === null ? [] : textTokens(value as string));
    const contains = textTokens((c as { value: string }).value).every((w) => words.has(w));
    return contains === ((c as { operator: string }).operator === '=');
  }
  if (value === null) return null;
  const v = typeof value === 'boolean' ? (value ? 1 : 0) : (value as Scalar);
  const cmp = (q: QueryValue) => compareScalars(v, queryScalar(c.attr, q));
  switch (c.kind) {
    case 'between': {
      const inside = cmp(c.from) >= 0 && cmp(c.to) <= 0;
      return inside !== c.negated;
    }
    case 'in':
      return c.values.some((q) => cmp(q) === 0) !== c.negated;
    case 'compare':
      switch (c.operator) {
        case '=':
          return cmp(c.value) === 0;
        case '!=':
          return cmp(c.value) !== 0;
        case '<':
          return cmp(c.value) < 0;
        case '<=':
          return cmp(c.value) <= 0;
        case '>':
          return cmp(c.value) > 0;
        case '>=':
          return cmp(c.value) >= 0;
        case 'starts_with':
          return (v as string).startsWith(c.value as string);
        case 'not starts_with':
          return !(v as string).startsWith(c.value as string);
      }
  }
}

export function evaluate(r: RefRecord, c: BoundCondition): Tri {
  switch (c.kind) {
    case 'and': {
      const [a, b] = [evaluate(r, c.left), evaluate(r, c.right)];
      return a === false || b === false ? false : a === null || b === null ? null : true;
    }
    case 'or': {
      const [a, b] = [evaluate(r, c.left), evaluate(r, c.right)];
      return a === true || b === true ? true : a === null || b === null ? null : false;
    }
    case 'not':
      return not(evaluate(r, c.operand));
    default:
      return leaf(r, c);
  }
}

/** Records matching the query, in the order the service must return them. */
export function referenceList(records: RefRecord[], q: BoundQuery): RefRecord[] {
  const matching = records.filter((r) => !q.where || evaluate(r, q.where) === true);
  return matching.sort((a, b) => {
    for (const { attr, descending } of q.orderBy) {
      const [x, y] = [valueOf(a, attr), valueOf(b, attr)];
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1; // missing values last
        continue;
      }
      const c = compareScalars(x as Scalar, y as Scalar);
      if (c !== 0) return descending ? -c : c;
    }
    const closeOrder = (r: RefRecord) => r.closeTime ?? Number.MAX_SAFE_INTEGER;
    return closeOrder(b) - closeOrder(a) || b.startTime - a.startTime || compareScalars(a.runId, b.runId);
  });
}
