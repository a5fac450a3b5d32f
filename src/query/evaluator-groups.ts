import type { Projection, Query } from './ast.js';
import { compareStrings, typeOfValue, valueAt } from './evaluator-values.js';

/** Assigns an own property, so a `__proto__` alias is a key like any other. */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Groups are keyed by primitive value and ordered by type, then value: missing values (and objects
 * and arrays, which are not comparable) form the first group, then null, false/true, numbers,
 * strings. That order is part of the language's definition here: paging relies on it.
 */
const GROUP_RANK = { undefined: 0, array: 0, object: 0, null: 1, boolean: 2, number: 3, string: 4 } as const;

interface Group {
  rank: number;
  value: unknown;
  documents: unknown[];
}

function compareGroups(a: Group, b: Group): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank === 4) return compareStrings(a.value as string, b.value as string);
  return Number(a.value) - Number(b.value) || 0;
}

function groupDocuments(path: readonly string[] | undefined, documents: readonly unknown[]): Group[] {
  if (!path) return [{ rank: 0, value: undefined, documents: [...documents] }];
  const groups = new Map<string, Group>();
  for (const document of documents) {
    const value = valueAt(document, path);
    const rank = GROUP_RANK[typeOfValue(value)];
    const key = `${rank}:${rank === 0 ? '' : String(value)}`;
    const group = groups.get(key) ?? { rank, value: rank === 0 ? undefined : value, documents: [] };
    group.documents.push(document);
    groups.set(key, group);
  }
  return [...groups.values()].sort(compareGroups);
}

/** Rows of an aggregate query: one per group (one in all without GROUP BY, even over no documents). */
export function aggregateRows(query: Query, documents: readonly unknown[]): Record<string, unknown>[] {
  const projections = query.select as Projection[];
  return groupDocuments(query.groupBy, documents).map((group) => {
    const row: Record<string, unknown> = {};
    for (const projection of projections) {
      const value = projection.type === 'path' ? group.value : aggregate(projection, group.documents);
      if (value !== undefined) setOwn(row, projection.alias, value);
    }
    return row;
  });
}

/**
 * COUNT() counts rows. SUM and AVG take the numbers among the values (undefined without any, or
 * when the sum leaves the double range). MIN and MAX take the numbers if there are any, else the
 * strings (by code point), else are undefined.
 */
function aggregate(projection: Extract<Projection, { type: 'aggregate' }>, documents: readonly unknown[]): unknown {
  if (projection.name === 'COUNT') return documents.length;
  const values = documents.map((document) => valueAt(document, projection.path!));
  const numbers = values.filter((value): value is number => typeof value === 'number');
  switch (projection.name) {
    case 'SUM':
    case 'AVG': {
      if (numbers.length === 0) return undefined;
      const sum = numbers.reduce((total, value) => total + value, 0);
      if (!Number.isFinite(sum)) return undefined;
      return projection.name === 'SUM' ? sum : sum / numbers.length;
    }
    case 'MIN':
    case 'MAX': {
      const sign = projection.name === 'MIN' ? 1 : -1;
      if (numbers.length > 0) return numbers.reduce((best, value) => (sign * (value - best) < 0 ? value : best));
      const strings = values.filter((value): value is string => typeof value === 'string');
      if (strings.length === 0) return undefined;
      return strings.reduce((best, value) => (sign * compareStrings(value, best) < 0 ? value : best));
    }
  }
}
