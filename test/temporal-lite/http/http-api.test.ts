// Temporal's HTTP API served by temporal-lite (--http-port) and under the Web UI's port: each
// route the Web UI calls, against workflows the real SDK client and worker run.
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signalAndQuery, unblock } from '../fixtures/workflows.js';
import { asyncTokens } from '../fixtures/activities.js';
import { startEnv, startWorker, waitFor, type Env, type RunningWorker } from '../helpers/harness.js';

interface Answer {
  status: number;
  // The JSON of an answer, read by the assertions below.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('temporal-lite HTTP API', () => {
  let env: Env;
  let worker: RunningWorker;
  const taskQueue = `http-${randomUUID()}`;
  let apiBase: string;
  let uiBase: string;

  async function call(
    base: string,
    path: string,
    init: { method?: string; body?: unknown; rawBody?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Answer> {
    const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    const res = await fetch(`${base}${path}`, {
      method: init.method ?? (body === undefined ? 'GET' : 'POST'),
      body,
      headers: init.headers,
      signal: init.signal ?? AbortSignal.timeout(15_000),
    });
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    return { status: res.status, body: await res.json() };
  }
  const api = (path: string, init?: Parameters<typeof call>[2]) => call(apiBase, path, init);
  const ui = (path: string, init?: Parameters<typeof call>[2]) => call(uiBase, path, init);

  before(async () => {
    env = await startEnv({ httpPort: 0, ui: { port: 0, assetsDir: '/nonexistent' } });
    apiBase = `http://127.0.0.1:${env.server.httpPort}`;
    uiBase = env.server.uiUrl!;
    worker = await startWorker(env, taskQueue, true);
  });
  after(async () => {
    await worker?.stop();
    await env?.close();
  });

  async function startQueried(): Promise<WorkflowHandleWithFirstExecutionRunId<typeof signalAndQuery>> {
    const handle = await env.client.workflow.start(signalAndQuery, { taskQueue, workflowId: `q-${randomUUID()}` });
    await waitFor('first task done', async () => (await handle.fetchHistory()).events!.length >= 4 || undefined);
    return handle;
  }

  it('cluster and system info, namespaces and search attributes (every page of the UI)', async () => {
    const cluster = await ui('/api/v1/cluster-info');
    assert.equal(cluster.status, 200);
    assert.match(cluster.body.serverVersion, /^\d+\.\d+\.\d+$/, 'plain semver, which the UI compares');
    const system = await ui('/api/v1/system-info');
    assert.equal(system.body.capabilities.countGroupByExecutionStatus, true);
    const namespaces = await ui('/api/v1/namespaces');
    assert.deepEqual(
      namespaces.body.namespaces.map((ns: { namespaceInfo: { name: string } }) => ns.namespaceInfo.name),
      ['default'],
    );
    const namespace = await ui('/api/v1/namespaces/default');
    assert.equal(namespace.body.namespaceInfo.state, 'NAMESPACE_STATE_REGISTERED');
    assert.match(namespace.body.config.workflowExecutionRetentionTtl, /^\d+s$/);
    const attributes = await ui('/api/v1/namespaces/default/search-attributes');
    assert.equal(attributes.body.systemAttributes.WorkflowId, 'INDEXED_VALUE_TYPE_KEYWORD');
  });

  it('the workflow list shows live history lengths; the count groups by ExecutionStatus', async () => {
    const handle = await startQueried();
    await handle.signal(unblock, 'one');
    await waitFor('signal handled', async () => (await handle.fetchHistory()).events!.length >= 8 || undefined);
    const events = (await handle.fetchHistory()).events!.length;
    const list = await ui(`/api/v1/namespaces/default/workflows?query=${encodeURIComponent(`WorkflowId = '${handle.workflowId}'`)}&pageSize=10`);
    assert.equal(list.status, 200);
    assert.equal(list.body.executions.length, 1);
    const [execution] = list.body.executions;
    assert.equal(execution.status, 'WORKFLOW_EXECUTION_STATUS_RUNNING');
    assert.equal(execution.historyLength, String(events), 'int64 as a string, and current');
    assert.match(execution.startTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    const done = await env.client.workflow.start(signalAndQuery, { taskQueue, workflowId: `done-${randomUUID()}` });
    await done.signal(unblock, 'a');
    await done.signal(unblock, 'b');
    await done.result();
    const count = await ui(`/api/v1/namespaces/default/workflow-count?query=${encodeURIComponent('GROUP BY ExecutionStatus')}`);
    assert.equal(count.status, 200);
    const groups = Object.fromEntries(
      count.body.groups.map((group: { groupValues: Array<{ data: string }>; count: string }) => [
        JSON.parse(Buffer.from(group.groupValues[0].data, 'base64').toString()),
        Number(group.count),
      ]),
    );
    assert.ok(groups.Running >= 1 && groups.Completed >= 1, JSON.stringify(groups));
    assert.equal(
      Number(count.body.count),
      Object.values<number>(groups).reduce((a, b) => a + b, 0),
    );
  });

  it('describe shows a pending activity; history pages (next_page_token), history-reverse, task queue pollers', async () => {
    const handle = await env.client.workflow.start('asyncActivity', { taskQueue, workflowId: `act-${randomUUID()}` });
    await waitFor('activity started', () => asyncTokens.get(handle.workflowId));
    const path = `/api/v1/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`;
    const describe = await ui(`${path}?execution.runId=${handle.firstExecutionRunId}`);
    assert.equal(describe.status, 200);
    const [activity] = describe.body.pendingActivities;
    assert.equal(activity.activityId, 'async-1');
    assert.equal(activity.activityType.name, 'completeAsync');
    assert.equal(activity.state, 'PENDING_ACTIVITY_STATE_STARTED');
    assert.equal(activity.attempt, 1);
    assert.match(activity.lastWorkerIdentity, /\S/);

    const first = await ui(`${path}/history?execution.runId=${handle.firstExecutionRunId}&maximumPageSize=2&waitNewEvent=false`);
    assert.deepEqual(
      first.body.history.events.map((event: { eventId: string }) => event.eventId),
      ['1', '2'],
    );
    assert.equal(first.body.history.events[0].eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    assert.ok(first.body.nextPageToken);
    const second = await ui(
      `${path}/history?execution.runId=${handle.firstExecutionRunId}&maximumPageSize=2&next_page_token=${encodeURIComponent(first.body.nextPageToken)}`,
    );
    assert.deepEqual(
      second.body.history.events.map((event: { eventId: string }) => event.eventId),
      ['3', '4'],
    );
    const reverse = await ui(`${path}/history-reverse?execution.runId=${handle.firstExecutionRunId}&maximumPageSize=1`);
    assert.equal(reverse.body.history.events[0].eventType, 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', 'newest first (a started activity is written when it ends)');
    assert.ok(reverse.body.nextPageToken);

    const workflowPollers = await ui(`/api/v1/namespaces/default/task-queues/${taskQueue}?taskQueueType=1`);
    assert.ok(workflowPollers.body.pollers.length >= 1);
    assert.match(workflowPollers.body.pollers[0].lastAccessTime, /Z$/);
    const activityPollers = await ui(`/api/v1/namespaces/default/task-queues/${taskQueue}?taskQueueType=TASK_QUEUE_TYPE_ACTIVITY`);
    assert.ok(activityPollers.body.pollers.length >= 1);

    await env.client.activity.complete(asyncTokens.get(handle.workflowId)!, 'done');
    assert.equal(await handle.result(), 'done');
  });

  it('a history long poll answers when the next event arrives', async () => {
    const handle = await startQueried();
    const path = `/api/v1/namespaces/default/workflows/${handle.workflowId}/history?execution.runId=${handle.firstExecutionRunId}&waitNewEvent=true`;
    const page = await ui(path);
    const last = page.body.history.events.at(-1).eventId;
    const poll = ui(`${path}&next_page_token=${encodeURIComponent(page.body.nextPageToken)}`);
    await handle.signal(unblock, 'wake');
    const next = await poll;
    assert.equal(next.status, 200);
    assert.equal(next.body.history.events[0].eventId, String(Number(last) + 1));
    assert.equal(next.body.history.events[0].eventType, 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
  });

  it('queries: the UI port answers in full payloads, the HTTP API port in shorthand unless told otherwise', async () => {
    const handle = await startQueried();
    const path = `/api/v1/namespaces/default/workflows/${handle.workflowId}/query/state`;
    const full = await ui(path, { body: { execution: { workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, query: { queryType: 'state' } } });
    assert.equal(full.status, 200);
    assert.deepEqual(full.body.queryResult, { payloads: [{ metadata: { encoding: b64('json/plain') }, data: b64('"waiting"') }] });
    const shorthand = await api(path, { body: { query: { queryType: 'state', queryArgs: [] } } });
    assert.deepEqual(shorthand.body.queryResult, ['waiting']);
    const optedOut = await api(`${path}?noPayloadShorthand`, { body: { query: { queryType: 'state' } } });
    assert.deepEqual(optedOut.body.queryResult, full.body.queryResult);
    const byAccept = await api(path, { body: { query: { queryType: 'state' } }, headers: { Accept: 'application/json+no-payload-shorthand' } });
    assert.deepEqual(byAccept.body.queryResult, full.body.queryResult);
    const metadata = await ui(`/api/v1/namespaces/default/workflows/${handle.workflowId}/query/__temporal_workflow_metadata`, {
      body: { query: { queryType: '__temporal_workflow_metadata' } },
    });
    const definition = JSON.parse(Buffer.from(metadata.body.queryResult.payloads[0].data, 'base64').toString());
    assert.ok(definition.definition.queryDefinitions.some((query: { name: string }) => query.name === 'state'));
  });

  it('write actions: served on the HTTP API port, refused (403) on the UI port unless enabled', async () => {
    const handle = await startQueried();
    const signalPath = `/api/v1/namespaces/default/workflows/${handle.workflowId}/signal/unblock`;
    const refused = await ui(signalPath, { body: { input: { payloads: [] } } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, 7);
    assert.match(refused.body.message, /write actions are disabled/);
    const settings = await ui('/api/v1/settings');
    assert.equal(settings.body.DisableWriteActions, true);
    assert.equal(settings.body.Auth.Enabled, false);
    assert.equal(settings.body.DefaultNamespace, 'default');

    assert.equal((await api(signalPath, { body: { input: ['first'] } })).status, 200);
    assert.equal((await api(signalPath, { body: { input: ['second'] } })).status, 200);
    assert.deepEqual(await handle.result(), ['first', 'second'], 'shorthand input arrived as JSON payloads');

    const other = await startQueried();
    const terminate = await api(`/api/v1/namespaces/default/workflows/${other.workflowId}/terminate`, { body: { reason: 'over HTTP' } });
    assert.equal(terminate.status, 200);
    const described = await api(`/namespaces/default/workflows/${other.workflowId}`);
    assert.equal(described.body.workflowExecutionInfo.status, 'WORKFLOW_EXECUTION_STATUS_TERMINATED', 'the binding without /api/v1 too');
  });

  it('schedules: create, describe, list, count, matching times, patch and delete over HTTP', async () => {
    const scheduleId = `http-schedule-${randomUUID()}`;
    const path = `/api/v1/namespaces/default/schedules/${scheduleId}`;
    const created = await api(path, {
      body: {
        schedule: {
          spec: { cronString: ['0 12 * * *'] },
          action: { startWorkflow: { workflowId: 'from-http', workflowType: { name: 'greeting' }, taskQueue: { name: taskQueue }, input: ['http'] } },
          state: { paused: true, notes: 'made over HTTP' },
        },
      },
    });
    assert.equal(created.status, 200);
    assert.ok(created.body.conflictToken);

    const described = await ui(path);
    assert.equal(described.status, 200);
    assert.deepEqual(described.body.schedule.spec.structuredCalendar[0].hour, [{ start: 12 }]);
    assert.equal(described.body.schedule.state.notes, 'made over HTTP');
    assert.equal(described.body.info.futureActionTimes.length, 10);

    const listed = await ui(`/api/v1/namespaces/default/schedules?query=${encodeURIComponent(`ScheduleId = '${scheduleId}'`)}`);
    assert.deepEqual(
      listed.body.schedules.map((entry: { scheduleId: string }) => entry.scheduleId),
      [scheduleId],
    );
    assert.equal(listed.body.schedules[0].info.workflowType.name, 'greeting');
    const counted = await ui(`/api/v1/namespaces/default/schedule-count?query=${encodeURIComponent(`ScheduleId = '${scheduleId}'`)}`);
    assert.equal(Number(counted.body.count), 1);

    const [first, second] = described.body.info.futureActionTimes;
    const matching = await ui(`${path}/matching-times?startTime=${encodeURIComponent(first)}&endTime=${encodeURIComponent(second)}`);
    assert.deepEqual(matching.body.startTime, [second]);

    assert.equal((await api(`${path}/patch`, { body: { patch: { unpause: 'resumed over HTTP' } } })).status, 200);
    assert.equal((await ui(path)).body.schedule.state.notes, 'resumed over HTTP');
    assert.equal((await api(path, { method: 'DELETE' })).status, 200);
    assert.equal((await ui(path)).status, 404);
  });

  it('errors are google.rpc.Status JSON with the HTTP status of their gRPC code', async () => {
    const missing = await ui('/api/v1/namespaces/default/workflows/no-such-workflow');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 5);
    assert.deepEqual(missing.body.details, []);
    const noNamespace = await ui('/api/v1/namespaces/nope/workflows');
    assert.equal(noNamespace.status, 404);
    const badInt = await ui('/api/v1/namespaces/default/workflows?pageSize=many');
    assert.equal(badInt.status, 400);
    assert.match(badInt.body.message, /'pageSize'.*expected an integer/);
    const badQuery = await ui(`/api/v1/namespaces/default/workflows?query=${encodeURIComponent('Bogus = 1')}`);
    assert.equal(badQuery.status, 400);
    assert.equal(badQuery.body.code, 3);
    const badBody = await api('/api/v1/namespaces/default/workflows/x/signal/s', { rawBody: '{not json' });
    assert.equal(badBody.status, 400);
    assert.match(badBody.body.message, /not JSON/);
    const unknown = await ui('/api/v1/namespaces/default/worker-deployments-of-the-future');
    assert.equal(unknown.status, 501);
    assert.equal(unknown.body.code, 12);
    assert.match(unknown.body.message, /temporal-lite does not serve GET/);
    const unserved = await ui('/api/v1/namespaces/default/worker-deployments');
    assert.equal(unserved.status, 501, 'a route Temporal has and temporal-lite does not implement');
    const wrongVerb = await ui('/api/v1/namespaces/default/workflows', { method: 'DELETE' });
    assert.equal(wrongVerb.status, 405);
  });
});
