// The write side (upserts through a run's life, deletes, retention) and list responses as the
// real client decodes them after a protobuf round trip.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { decodeCountWorkflowExecutionsResponse, executionInfoFromRaw } from '@temporalio/client/lib/helpers.js';
import { defaultPayloadConverter } from '@temporalio/common';
import { loadDataConverter } from '@temporalio/common/lib/internal-non-workflow/index.js';
import proto from '@temporalio/proto';
import { createVisibilityService, type VisibilityRecord, type VisibilityService } from '../../../temporal-lite/visibility/index.js';
import { CUSTOM_ATTRIBUTES, KEYS } from './helpers/synthetic-records.js';
import { encodeUnifiedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes.js';

const NS = 'default';
const T0 = Date.UTC(2024, 5, 1, 12, 0, 0);
const { temporal } = proto;
const ListResponse = temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
const CountResponse = temporal.api.workflowservice.v1.CountWorkflowExecutionsResponse;

function run(id: string, overrides: Partial<VisibilityRecord> = {}): VisibilityRecord {
  return {
    namespace: NS,
    workflowId: id,
    runId: `${id}-run`,
    workflowType: 'Flow',
    taskQueue: 'tq',
    status: 'Running',
    startTime: T0,
    executionTime: T0,
    ...overrides,
  };
}

describe('visibility store', () => {
  let db: Database.Database;
  let vis: VisibilityService;
  let now = T0;
  beforeEach(() => {
    db = new Database(':memory:');
    now = T0;
    vis = createVisibilityService(db, { clock: () => now, maxPageSize: 50 });
    vis.addSearchAttributes({ namespace: NS, searchAttributes: CUSTOM_ATTRIBUTES });
  });
  afterEach(() => db.close());

  const ids = (query: string) => vis.listWorkflowExecutions({ namespace: NS, query }).executions.map((e) => (e.execution as { workflowId: string }).workflowId);

  it('follows a run from start through attribute upserts to close', () => {
    const sa = (value: string) => ({ indexedFields: encodeUnifiedSearchAttributes(undefined, [{ key: KEYS.Kw, value }]) as never });
    vis.upsert(run('a', { searchAttributes: sa('first') }));
    assert.deepEqual(ids("Kw = 'first' AND ExecutionStatus = 'Running'"), ['a']);
    vis.upsert(run('a', { searchAttributes: sa('second'), historyLength: 5 }));
    assert.deepEqual(ids("Kw = 'first'"), [], 'the old value is no longer indexed');
    assert.deepEqual(ids("Kw = 'second'"), ['a']);
    vis.upsert(run('a', { searchAttributes: sa('second'), status: 'Completed', closeTime: T0 + 90_000, historyLength: 11 }));
    assert.deepEqual(ids("ExecutionStatus = 'Running'"), []);
    assert.deepEqual(ids("ExecutionStatus = 'Completed' AND ExecutionDuration = '90s' AND HistoryLength = 11 AND Kw = 'second'"), ['a']);
    assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: '' }).count, 1, 'upserts never duplicate a run');
  });

  it('returns WorkflowExecutionInfo that survives protobuf encoding and the client decoder', async () => {
    const memo = { fields: { note: defaultPayloadConverter.toPayload({ hello: 'world' }) as never } };
    const searchAttributes = {
      indexedFields: encodeUnifiedSearchAttributes(undefined, [
        { key: KEYS.Kw, value: 'k' },
        { key: KEYS.When, value: new Date(T0 + 5) },
      ]) as never,
    };
    vis.upsert(
      run('child', {
        status: 'Failed',
        startTime: T0 + 1,
        executionTime: T0 + 1001,
        closeTime: T0 + 61_001,
        historyLength: 9,
        historySizeBytes: 1234,
        stateTransitionCount: 7,
        memo,
        searchAttributes,
        parentExecution: { workflowId: 'parent', runId: 'parent-run' },
        rootExecution: { workflowId: 'root', runId: 'root-run' },
      }),
    );
    const response = vis.listWorkflowExecutions({ namespace: NS, query: '' });
    const decoded = ListResponse.decode(ListResponse.encode(ListResponse.fromObject(response)).finish());
    const raw = decoded.executions[0];
    const info = await executionInfoFromRaw(raw, loadDataConverter(), raw, NS);
    assert.equal(info.workflowId, 'child');
    assert.equal(info.runId, 'child-run');
    assert.equal(info.type, 'Flow');
    assert.equal(info.taskQueue, 'tq');
    assert.equal(info.status.name, 'FAILED');
    assert.equal(info.historyLength, 9);
    assert.equal(info.historySize, 1234);
    assert.equal(info.startTime.getTime(), T0 + 1);
    assert.equal(info.executionTime?.getTime(), T0 + 1001);
    assert.equal(info.closeTime?.getTime(), T0 + 61_001);
    assert.deepEqual(info.memo, { note: { hello: 'world' } });
    assert.equal(info.typedSearchAttributes.get(KEYS.Kw), 'k');
    assert.equal(info.typedSearchAttributes.get(KEYS.When)?.getTime(), T0 + 5);
    assert.deepEqual(info.parentExecution, { workflowId: 'parent', runId: 'parent-run' });
    assert.deepEqual(info.rootExecution, { workflowId: 'root', runId: 'root-run' });
    assert.equal(Number(raw.executionDuration?.seconds), 60);
    assert.equal(Number(raw.stateTransitionCount), 7);
    assert.equal(decoded.nextPageToken.length, 0);
  });

  it('counts grouped by status as the client decodes them', () => {
    vis.upsert(run('r1'));
    vis.upsert(run('r2'));
    vis.upsert(run('c1', { status: 'Completed', closeTime: T0 + 1 }));
    vis.upsert(run('t1', { status: 'TimedOut', closeTime: T0 + 1 }));
    const response = vis.countWorkflowExecutions({ namespace: NS, query: 'GROUP BY ExecutionStatus' });
    const decoded = decodeCountWorkflowExecutionsResponse(CountResponse.decode(CountResponse.encode(CountResponse.fromObject(response)).finish()));
    assert.deepEqual(decoded, {
      count: 4,
      groups: [
        { count: 2, groupValues: [['Running']] },
        { count: 1, groupValues: [['Completed']] },
        { count: 1, groupValues: [['TimedOut']] },
      ],
    });
    const plain = decodeCountWorkflowExecutionsResponse(
      CountResponse.decode(
        CountResponse.encode(CountResponse.fromObject(vis.countWorkflowExecutions({ namespace: NS, query: "ExecutionStatus != 'Running'" }))).finish(),
      ),
    );
    assert.deepEqual(plain, { count: 2, groups: [] });
  });

  it('a root defaults to the run itself; runs without parents have none', () => {
    vis.upsert(run('top'));
    const [info] = vis.listWorkflowExecutions({ namespace: NS, query: '' }).executions;
    assert.deepEqual(info.rootExecution, { workflowId: 'top', runId: 'top-run' });
    assert.equal(info.parentExecution, undefined);
    assert.deepEqual(ids("RootWorkflowId = 'top' AND ParentWorkflowId IS NULL"), ['top']);
  });

  it('deletes runs, purges closed runs after retention, and drops a namespace', () => {
    for (let i = 0; i < 5; i++) vis.upsert(run(`old${i}`, { status: 'Completed', closeTime: T0 + i * 1000 }));
    vis.upsert(run('open'));
    vis.upsert(run('elsewhere', { namespace: 'other' }));
    assert.equal(vis.delete(NS, 'old0', 'old0-run'), true);
    assert.equal(vis.delete(NS, 'old0', 'old0-run'), false);
    assert.equal(vis.delete(NS, 'old1', 'wrong-run'), false);
    now = T0 + 3500 + 60_000;
    assert.equal(vis.purgeExpired(NS, 60_000, 1), 1, 'limit respected, oldest first');
    assert.deepEqual(ids(''), ['open', 'old4', 'old3', 'old2']);
    assert.equal(vis.purgeExpired(NS, 60_000), 2);
    assert.deepEqual(ids(''), ['open', 'old4']);
    vis.deleteNamespaceData(NS);
    assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: '' }).count, 0);
    assert.deepEqual(vis.listSearchAttributes({ namespace: NS }).customAttributes, {});
    assert.equal(vis.countWorkflowExecutions({ namespace: 'other', query: '' }).count, 1);
    const leftovers = db.prepare('SELECT (SELECT COUNT(*) FROM vis_values) + (SELECT COUNT(*) FROM vis_text_tokens) AS n').get() as { n: number };
    assert.equal(leftovers.n, 0);
  });

  it('writes join the engine transaction: a rollback undoes them', () => {
    const sa = { indexedFields: encodeUnifiedSearchAttributes(undefined, [{ key: KEYS.Txt, value: 'words here' }]) as never };
    assert.throws(() =>
      db.transaction(() => {
        vis.upsert(run('rolled-back', { searchAttributes: sa }));
        throw new Error('engine failure');
      })(),
    );
    db.exec('BEGIN');
    vis.upsert(run('manual', { searchAttributes: sa }));
    vis.purgeExpired(NS, 0);
    db.exec('ROLLBACK');
    assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: '' }).count, 0);
    assert.equal((db.prepare('SELECT COUNT(*) AS n FROM vis_text_tokens').get() as { n: number }).n, 0);
  });

  it('serves the legacy ListOpen/ListClosed filters', () => {
    vis.upsert(run('o1', { startTime: T0 + 10, workflowType: 'A' }));
    vis.upsert(run('o2', { startTime: T0 + 20, workflowType: 'B' }));
    vis.upsert(run('c1', { status: 'Completed', closeTime: T0 + 100, workflowType: 'A' }));
    vis.upsert(run('c2', { status: 'Terminated', closeTime: T0 + 200, workflowType: 'B' }));
    const sec = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
    const names = (r: { executions: Record<string, unknown>[] }) => r.executions.map((e) => (e.execution as { workflowId: string }).workflowId);
    assert.deepEqual(names(vis.listOpenWorkflowExecutions({ namespace: NS })), ['o2', 'o1']);
    assert.deepEqual(names(vis.listOpenWorkflowExecutions({ namespace: NS, startTimeFilter: { earliestTime: sec(T0 + 15) } })), ['o2']);
    assert.deepEqual(names(vis.listOpenWorkflowExecutions({ namespace: NS, typeFilter: { name: 'A' } })), ['o1']);
    assert.deepEqual(names(vis.listOpenWorkflowExecutions({ namespace: NS, executionFilter: { workflowId: 'o2' } })), ['o2']);
    assert.deepEqual(names(vis.listClosedWorkflowExecutions({ namespace: NS })), ['c2', 'c1']);
    assert.deepEqual(names(vis.listClosedWorkflowExecutions({ namespace: NS, startTimeFilter: { earliestTime: sec(T0 + 50), latestTime: sec(T0 + 150) } })), [
      'c1',
    ]);
    assert.deepEqual(names(vis.listClosedWorkflowExecutions({ namespace: NS, statusFilter: { status: 'WORKFLOW_EXECUTION_STATUS_TERMINATED' } })), ['c2']);
    assert.deepEqual(names(vis.listClosedWorkflowExecutions({ namespace: NS, executionFilter: { workflowId: "it's" } })), []);
    assert.throws(
      () => vis.listClosedWorkflowExecutions({ namespace: NS, statusFilter: { status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' } }),
      /StatusFilter must be specified and must be not Running\./,
    );
    assert.throws(
      () => vis.listOpenWorkflowExecutions({ namespace: NS, startTimeFilter: { earliestTime: sec(T0 + 2), latestTime: sec(T0 + 1) } }),
      /EarliestTime in StartTimeFilter should not be larger than LatestTime\./,
    );
    const page = vis.listOpenWorkflowExecutions({ namespace: NS, maximumPageSize: 1 });
    assert.deepEqual(names(page), ['o2']);
    assert.deepEqual(names(vis.listOpenWorkflowExecutions({ namespace: NS, maximumPageSize: 1, nextPageToken: page.nextPageToken })), ['o1']);
  });

  it('caps page sizes at the maximum and treats 0 as the maximum', () => {
    for (let i = 0; i < 60; i++) vis.upsert(run(`w${i}`));
    assert.equal(vis.listWorkflowExecutions({ namespace: NS, query: '', pageSize: 0 }).executions.length, 50);
    assert.equal(vis.listWorkflowExecutions({ namespace: NS, query: '', pageSize: 500 }).executions.length, 50);
    assert.equal(vis.scanWorkflowExecutions({ namespace: NS, query: '', pageSize: 7 }).executions.length, 7);
    assert.throws(() => vis.listWorkflowExecutions({ query: '' }), /Namespace is not set on request\./);
  });

  it('rejects an unknown status from the engine (a bug, not a client error)', () => {
    assert.throws(() => vis.upsert(run('x', { status: 'Sleeping' as never })), /unknown workflow status 'Sleeping'/);
  });
});
