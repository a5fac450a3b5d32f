// List filters run as SQL against a real in-memory SQLite database, compared with an
// independent in-memory evaluation of the same filter over the same few hundred records.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVisibilityService, type VisibilityService } from '../../../temporal-lite/visibility/index.js';
import { Binder } from '../../../temporal-lite/visibility/query/binder.js';
import { parseQuery } from '../../../temporal-lite/visibility/query/parser.js';
import { statusShortName } from '../../../temporal-lite/visibility/execution-status.js';
import { formatRfc3339Nano } from '../../../temporal-lite/visibility/datetime.js';
import { referenceList } from './helpers/reference-evaluator.js';
import { conditionArbitrary, orderByArbitrary } from './helpers/query-arbitraries.js';
import { CUSTOM_ATTRIBUTES, makeRecords, toVisibilityRecord, type RefRecord } from './helpers/synthetic-records.js';

const NS = 'default';

function listAll(vis: VisibilityService, query: string, pageSize: number): string[] {
  const runIds: string[] = [];
  let token: Buffer | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const res = vis.listWorkflowExecutions({ namespace: NS, query, pageSize, nextPageToken: token });
    assert.ok(res.executions.length <= pageSize);
    runIds.push(...res.executions.map((e) => (e.execution as { runId: string }).runId));
    if (res.nextPageToken.length === 0) return runIds;
    assert.equal(res.executions.length, pageSize, 'a page before the last one is full');
    token = res.nextPageToken;
  }
  throw new Error('paging did not end');
}

describe('list filters: SQL against the reference evaluator', () => {
  let db: Database.Database;
  let vis: VisibilityService;
  let records: RefRecord[];

  const expected = (query: string) => referenceList(records, new Binder(vis.registry.lookup(NS)).bind(parseQuery(query))).map((r) => r.runId);

  before(() => {
    db = new Database(':memory:');
    vis = createVisibilityService(db);
    vis.addSearchAttributes({ namespace: NS, searchAttributes: CUSTOM_ATTRIBUTES });
    vis.addSearchAttributes({ namespace: 'other', searchAttributes: CUSTOM_ATTRIBUTES });
    records = makeRecords(300);
    for (const r of records) vis.upsert(toVisibilityRecord(r));
    // Same workflows in another namespace: must never show up.
    for (const r of makeRecords(40, 7)) vis.upsert(toVisibilityRecord(r, 'other'));
  });
  after(() => db.close());

  it('an empty filter lists every run of the namespace, running first, then by close time', () => {
    const ids = listAll(vis, '', 1000);
    assert.equal(ids.length, 300);
    assert.deepEqual(ids, expected(''));
    assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: '' }).count, 300);
  });

  it('random filters and orders select and order exactly what the reference does', () => {
    fc.assert(
      fc.property(fc.option(conditionArbitrary, { nil: '' }), orderByArbitrary, (cond, orderBy) => {
        const query = cond + orderBy;
        const want = expected(query);
        assert.deepEqual(listAll(vis, query, 1000), want, query);
        assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: cond }).count, want.length, query);
      }),
      { numRuns: 400 },
    );
  });

  it('paging with small pages returns every matching run once, in order', () => {
    fc.assert(
      fc.property(fc.option(conditionArbitrary, { nil: '' }), orderByArbitrary, fc.integer({ min: 1, max: 9 }), (cond, orderBy, size) => {
        const query = cond + orderBy;
        assert.deepEqual(listAll(vis, query, size), expected(query), `${query} (page size ${size})`);
      }),
      { numRuns: 150 },
    );
  });

  it('times and durations compare exactly at nanosecond boundaries of millisecond values', () => {
    const times = [...new Set(records.slice(0, 6).map((r) => r.startTime))];
    const deltas = [0n, 1n, -1n, 999_999n, -999_999n];
    const ops = ['=', '!=', '<', '<=', '>', '>='];
    for (const t of times) {
      for (const delta of deltas) {
        const nanos = BigInt(t) * 1_000_000n + delta;
        const iso = `'${formatRfc3339Nano(nanos)}'`;
        for (const attr of ['StartTime', 'CloseTime', 'ExecutionTime']) {
          for (const op of ops) {
            for (const lit of [iso, nanos.toString()]) {
              const query = `${attr} ${op} ${lit}`;
              assert.deepEqual(listAll(vis, query, 1000), expected(query), query);
            }
          }
          for (const query of [`${attr} BETWEEN ${iso} AND ${iso}`, `${attr} IN (${iso}, ${nanos})`, `${attr} NOT IN (${iso})`]) {
            assert.deepEqual(listAll(vis, query, 1000), expected(query), query);
          }
        }
      }
    }
    for (const d of ['0s', '1ms', '30s', '30000000001', '29999999999', '00:01:00', '90s']) {
      for (const op of ops) {
        const query = `ExecutionDuration ${op} '${d}'`;
        assert.deepEqual(listAll(vis, query, 1000), expected(query), query);
      }
    }
  });

  it('GROUP BY ExecutionStatus counts each status, with and without a filter', () => {
    fc.assert(
      fc.property(fc.option(conditionArbitrary, { nil: '' }), (cond) => {
        const res = vis.countWorkflowExecutions({ namespace: NS, query: `${cond} GROUP BY ExecutionStatus` });
        const matching = expected(cond).map((id) => records.find((r) => r.runId === id)!);
        const byStatus = new Map<string, number>();
        for (const r of matching) byStatus.set(statusShortName(r.status), (byStatus.get(statusShortName(r.status)) ?? 0) + 1);
        const groups = new Map((res.groups ?? []).map((g) => [JSON.parse(Buffer.from(g.groupValues[0].data as Uint8Array).toString()), g.count]));
        assert.deepEqual(groups, byStatus, cond);
        assert.equal(res.count, matching.length);
      }),
      { numRuns: 100 },
    );
  });
});

describe('page tokens', () => {
  it('stay valid and skip nothing when runs are added between pages', () => {
    const db = new Database(':memory:');
    const vis = createVisibilityService(db);
    vis.addSearchAttributes({ namespace: NS, searchAttributes: CUSTOM_ATTRIBUTES });
    const records = makeRecords(60, 3);
    for (const r of records) vis.upsert(toVisibilityRecord(r));
    const before = listAll(vis, 'ORDER BY Num DESC', 1000);

    const first = vis.listWorkflowExecutions({ namespace: NS, query: 'ORDER BY Num DESC', pageSize: 20 });
    // New runs, some sorting before the page boundary, some after.
    for (const r of makeRecords(30, 4)) vis.upsert(toVisibilityRecord({ ...r, runId: `new-${r.runId}` }));
    const seen = first.executions.map((e) => (e.execution as { runId: string }).runId);
    let token = first.nextPageToken;
    while (token.length > 0) {
      const page = vis.listWorkflowExecutions({ namespace: NS, query: 'ORDER BY Num DESC', pageSize: 20, nextPageToken: token });
      seen.push(...page.executions.map((e) => (e.execution as { runId: string }).runId));
      token = page.nextPageToken;
    }
    const old = seen.filter((id) => !id.startsWith('new-'));
    assert.deepEqual(old, before, 'every original run exactly once, in the original order');
    assert.equal(new Set(seen).size, seen.length, 'no run twice');
    db.close();
  });

  it('a token that is not ours is INVALID_ARGUMENT', () => {
    const db = new Database(':memory:');
    const vis = createVisibilityService(db);
    for (const token of [Buffer.from('garbage'), Buffer.from('{"k":[1]}'), Buffer.from('{"k":[{"x":1},2,3]}')]) {
      assert.throws(
        () => vis.listWorkflowExecutions({ namespace: NS, query: '', pageSize: 5, nextPageToken: token }),
        (e: Error & { grpcCode?: string }) => e.grpcCode === 'INVALID_ARGUMENT' && /NextPageToken/.test(e.message),
      );
    }
    db.close();
  });
});
