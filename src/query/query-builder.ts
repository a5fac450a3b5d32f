import type { AggregateName, Collection, Expression, Projection, Query } from './ast.js';
import { invalidQuery, MAX_PROJECTIONS } from './limits.js';
import type { NameSegment } from './names.js';

export type RawProjection =
  | { type: 'path'; path: NameSegment[]; pos: number; alias?: string }
  | { type: 'aggregate'; name: AggregateName; path?: NameSegment[]; pos: number; alias?: string };

export interface QueryParts {
  collection: Collection;
  top?: number;
  select: '*' | RawProjection[];
  where?: Expression;
  groupBy?: { path: string[]; pos: number };
}

const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

/** Checks the clause combinations the hub allows (Azure docs, "IoT Hub query language"; Azure docs, "Schedule jobs on multiple devices") and names every projection. */
export function buildQuery(parts: QueryParts, resolve: (segments: NameSegment[]) => string[]): Query {
  const { collection, top, select, where, groupBy } = parts;
  if (collection === 'devices.jobs') {
    if (select !== '*') {
      throw invalidQuery(`Queries on devices.jobs only support SELECT * (position ${select[0].pos})`);
    }
    if (groupBy) throw invalidQuery(`GROUP BY is not supported on devices.jobs (position ${groupBy.pos})`);
  }
  if (groupBy && collection !== 'devices') {
    throw invalidQuery(`GROUP BY is only supported on FROM devices (position ${groupBy.pos})`);
  }
  if (groupBy && select === '*') {
    throw invalidQuery(`GROUP BY needs a list of the grouped path and aggregates instead of * (position ${groupBy.pos})`);
  }
  const query: Query = { collection, select: select === '*' ? '*' : projections(select, resolve, groupBy) };
  if (top !== undefined) query.top = top;
  if (where !== undefined) query.where = where;
  if (groupBy) query.groupBy = groupBy.path;
  return query;
}

function projections(raw: RawProjection[], resolve: (segments: NameSegment[]) => string[], groupBy: QueryParts['groupBy']): Projection[] {
  if (raw.length > MAX_PROJECTIONS) {
    throw invalidQuery(`A query can select at most ${MAX_PROJECTIONS} values (position ${raw[MAX_PROJECTIONS].pos})`);
  }
  let unnamed = 0;
  const names = new Set<string>();
  const hasAggregate = raw.some((p) => p.type === 'aggregate');
  return raw.map((item): Projection => {
    const path = item.path && resolve(item.path);
    // Unaliased paths are named after their last property (result keys use canonical casing);
    // unaliased aggregates get $1, $2, … as in the underlying document query engine.
    const alias = item.alias ?? (item.type === 'path' ? path!.at(-1)! : `$${++unnamed}`);
    if (names.has(alias)) {
      throw invalidQuery(`Two selected values are both named '${alias}' (position ${item.pos}); give one a different name with AS`);
    }
    names.add(alias);
    if (item.type === 'aggregate') return path ? { type: 'aggregate', name: item.name, path, alias } : { type: 'aggregate', name: item.name, alias };
    if (groupBy && !samePath(path!, groupBy.path)) {
      throw invalidQuery(`With GROUP BY only the grouped path and aggregates can be selected (position ${item.pos})`);
    }
    if (!groupBy && hasAggregate) {
      throw invalidQuery(`Aggregates and attribute paths can only be selected together with GROUP BY (position ${item.pos})`);
    }
    return { type: 'path', path: path!, alias };
  });
}
