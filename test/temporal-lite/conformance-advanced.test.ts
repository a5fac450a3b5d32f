// Conformance: child workflows, external signals/cancels, updates, continue-as-new,
// workflow timeouts and retries, memo and search attributes, visibility and namespaces.
import { Client, QueryRejectedError, WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { ApplicationFailure, ChildWorkflowFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { msToTs } from '@temporalio/common';
import assert from 'node:assert/strict';
import { asyncTokens } from './fixtures/activities.js';
import { historyTypes, waitFor } from './helpers/harness.js';
import { conformanceSuite } from './helpers/scenarios.js';

/**
 * The one run a visibility filter lists. A real server's visibility is eventually consistent:
 * the listing is retried until the run shows (temporal-lite lists it at once).
 */
async function listedOnce(client: Client, query: string): Promise<WorkflowExecutionInfo> {
  return waitFor(`a run matching ${query}`, async () => {
    const listed: WorkflowExecutionInfo[] = [];
    for await (const execution of client.workflow.list({ query })) listed.push(execution);
    assert.ok(listed.length <= 1, `${listed.length} runs match ${query}`);
    return listed[0];
  });
}

conformanceSuite(
  'temporal-lite conformance: advanced',
  {
    'child workflows: result and ChildWorkflowFailure': async ({ client, taskQueue, id }) => {
      const handle = await client.workflow.start('parent', { taskQueue, workflowId: id('parent') });
      assert.equal(await handle.result(), 'child got hi; child failure: child failed');
      const types = await historyTypes(handle);
      for (const t of [
        'START_CHILD_WORKFLOW_EXECUTION_INITIATED',
        'CHILD_WORKFLOW_EXECUTION_STARTED',
        'CHILD_WORKFLOW_EXECUTION_COMPLETED',
        'CHILD_WORKFLOW_EXECUTION_FAILED',
      ]) {
        assert.ok(types.includes(t), t);
      }
      const started = (await handle.fetchHistory()).events!.find((e) => e.childWorkflowExecutionStartedEventAttributes)!;
      const childId = started.childWorkflowExecutionStartedEventAttributes!.workflowExecution!.workflowId!;
      const child = await client.workflow.getHandle(childId).describe();
      assert.equal(child.parentExecution?.workflowId, handle.workflowId);
    },

    'child start fails when the id is taken': async ({ client, taskQueue, id }) => {
      const childId = id('dupChild', false);
      assert.equal(
        await client.workflow.execute('duplicateChild', { taskQueue, workflowId: id('dupParent'), args: [childId] }),
        'WorkflowExecutionAlreadyStartedError',
      );
      assert.ok((await historyTypes(client.workflow.getHandle(childId))).includes('WORKFLOW_EXECUTION_TERMINATED'));
    },

    'child cancellation from the parent': async ({ client, taskQueue, id }) => {
      const result = await client.workflow.execute('cancelChild', { taskQueue, workflowId: id('cancelChild') });
      assert.equal(result, 'ChildWorkflowFailure: CancelledFailure');
    },

    'parent close policies: terminate, request cancel, abandon': async ({ client, taskQueue, id }) => {
      const expectations = { TERMINATE: 'TERMINATED', REQUEST_CANCEL: 'CANCELLED', ABANDON: 'RUNNING' } as const;
      for (const [policy, status] of Object.entries(expectations)) {
        const childId = id(`child-${policy}`);
        await client.workflow.execute('parentWithAbandoned', { taskQueue, workflowId: id(`parent-${policy}`), args: [policy, childId] });
        const child = client.workflow.getHandle(childId);
        await waitFor(`child ${policy} → ${status}`, async () => (await child.describe()).status.name === status);
        if (status === 'RUNNING') await child.terminate('cleanup');
      }
    },

    'signal and cancel external workflows': async ({ client, taskQueue, id }) => {
      const target = await client.workflow.start('signalAndQuery', { taskQueue, workflowId: id('target') });
      const outcome = await client.workflow.execute('signalExternal', { taskQueue, workflowId: id('signaller'), args: [target.workflowId] });
      assert.match(outcome, /^signalled; missing target: .*NotFound/);
      await target.signal('unblock', 'from client');
      assert.deepEqual(await target.result(), ['from workflow', 'from client']);

      const victim = await client.workflow.start('cancellable', { taskQueue, workflowId: id('victim') });
      await waitFor('victim sleeping', async () => (await historyTypes(victim)).includes('TIMER_STARTED'));
      const canceller = await client.workflow.start('cancelExternal', { taskQueue, workflowId: id('canceller'), args: [victim.workflowId] });
      assert.equal(await canceller.result(), 'cancel requested');
      assert.ok((await historyTypes(canceller)).includes('EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED'));
      await assert.rejects(victim.result(), WorkflowFailedError);
    },

    'updates: accepted, completed, rejected, deduplicated by id': async ({ client, taskQueue, id }) => {
      const handle = await client.workflow.start('updatable', { taskQueue, workflowId: id('update') });
      assert.equal(await handle.executeUpdate('add', { args: [5], updateId: 'u1' }), 5);
      assert.equal(await handle.executeUpdate('add', { args: [5], updateId: 'u1' }), 5, 'same update id: same outcome, not applied twice');
      assert.equal(await handle.executeUpdate('add', { args: [10] }), 15);
      await assert.rejects(handle.executeUpdate('add', { args: [5000] }), WorkflowUpdateFailedError);
      const failed = await handle.executeUpdate('add', { args: [-1] }).catch((e: unknown) => e);
      assert.ok(failed instanceof WorkflowUpdateFailedError && failed.cause instanceof ApplicationFailure);
      const pending = await handle.startUpdate('add', { args: [1], waitForStage: 'ACCEPTED' });
      assert.equal(await pending.result(), 16);
      await handle.signal('done');
      assert.equal(await handle.result(), 16);
      const types = await historyTypes(handle);
      assert.equal(types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED').length, 4);
      assert.equal(types.filter((t) => t === 'WORKFLOW_EXECUTION_UPDATE_COMPLETED').length, 4);
    },

    'continue-as-new: the client follows the run chain': async ({ client, taskQueue, id }) => {
      const handle = await client.workflow.start('counter', { taskQueue, workflowId: id('counter'), args: [0, 3] });
      assert.equal(await handle.result(), 3);
      const first = client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
      assert.equal((await historyTypes(first)).at(-1), 'WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
      const latest = await client.workflow.getHandle(handle.workflowId).describe();
      assert.notEqual(latest.runId, handle.firstExecutionRunId);
      const firstStart = (await client.workflow.getHandle(handle.workflowId).fetchHistory()).events![0].workflowExecutionStartedEventAttributes!;
      assert.equal(firstStart.firstExecutionRunId, handle.firstExecutionRunId);
      assert.ok(firstStart.continuedExecutionRunId);
    },

    'run timeout and execution timeout end the workflow TimedOut': async ({ client, taskQueue, id }) => {
      const run = await client.workflow.start('runForever', { taskQueue, workflowId: id('runTimeout'), workflowRunTimeout: '300ms' });
      const err = await run.result().catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof TimeoutFailure);
      assert.equal((await run.describe()).status.name, 'TIMED_OUT');
      const exec = await client.workflow.start('counter', {
        taskQueue,
        workflowId: id('execTimeout'),
        args: [0, 1_000_000],
        workflowExecutionTimeout: '400ms',
      });
      const err2 = await exec.result().catch((e: unknown) => e);
      assert.ok(err2 instanceof WorkflowFailedError && err2.cause instanceof TimeoutFailure, String(err2));
    },

    'workflow retry policy starts new attempts': async ({ client, taskQueue, id }) => {
      const result = await client.workflow.execute('retryingWorkflow', {
        taskQueue,
        workflowId: id('wfRetry'),
        retry: { initialInterval: '10ms', maximumAttempts: 5 },
      });
      assert.equal(result, 3);
    },

    'memo and search attributes: at start, upsert, describe, list': async ({ client, taskQueue, id }) => {
      const workflowId = id('sa');
      const handle = await client.workflow.start('searchAttributes', {
        taskQueue,
        workflowId,
        memo: { note: 'hello' },
        searchAttributes: { CustomKeywordField: ['initial'], CustomIntField: [7] },
      });
      assert.equal(await handle.result(), 'updated');
      const d = await handle.describe();
      assert.deepEqual(d.memo, { note: 'hello', progress: 'half' });
      assert.deepEqual(d.searchAttributes.CustomKeywordField, ['updated']);
      assert.ok((await historyTypes(handle)).includes('WORKFLOW_PROPERTIES_MODIFIED'));
      assert.deepEqual(d.searchAttributes.CustomIntField, [7]);
      assert.ok((await historyTypes(handle)).includes('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'));
      const listed = await listedOnce(client, `WorkflowId = '${workflowId}' AND CustomKeywordField = 'updated'`);
      assert.equal(listed.status.name, 'COMPLETED');
      assert.deepEqual(listed.memo, { note: 'hello', progress: 'half' });
    },

    'visibility: list and count by status': async ({ client, taskQueue, id }) => {
      const running = await client.workflow.start('runForever', { taskQueue, workflowId: id('visRunning') });
      const done = id('visDone');
      await client.workflow.execute('greeting', { taskQueue, workflowId: done, args: ['x'] });
      const open = await listedOnce(client, `WorkflowId = '${running.workflowId}' AND ExecutionStatus = 'Running'`);
      assert.equal(open.workflowId, running.workflowId);
      const count = await waitFor('both runs counted', async () => {
        const counted = await client.workflow.count(`WorkflowId IN ('${running.workflowId}', '${done}')`);
        return counted.count === 2 || undefined;
      });
      assert.ok(count);
      const grouped = await client.workflow.count(`WorkflowId IN ('${running.workflowId}', '${done}') GROUP BY ExecutionStatus`);
      assert.equal(grouped.groups.length, 2);
      await running.terminate();
    },

    'activities completed asynchronously by task token and by id': async ({ client, taskQueue, id }) => {
      const byToken = await client.workflow.start('asyncActivity', { taskQueue, workflowId: id('asyncToken') });
      await waitFor('activity started', async () => (await byToken.describe()).raw.pendingActivities?.[0]?.state === 2 || undefined);
      await client.activity.heartbeat({ workflowId: byToken.workflowId, activityId: 'async-1' }, 'still working');
      await client.activity.complete({ workflowId: byToken.workflowId, activityId: 'async-1' }, 'done by id');
      assert.equal(await byToken.result(), 'done by id');
      const err = await client.activity.complete({ workflowId: byToken.workflowId, activityId: 'async-1' }, 'again').catch((e: unknown) => e);
      assert.ok(err instanceof Error);

      const second = await client.workflow.start('asyncActivity', { taskQueue, workflowId: id('asyncToken2') });
      const token = await waitFor('task token', () => asyncTokens.get(second.workflowId));
      await client.activity.complete(token, 'done by token');
      assert.equal(await second.result(), 'done by token');
    },

    'terminated child reports TerminatedFailure to its parent; describe lists the pending child': async ({ client, taskQueue, id }) => {
      const childId = id('termChild');
      const parentHandle = await client.workflow.start('awaitChild', { taskQueue, workflowId: id('termParent'), args: [childId] });
      const child = client.workflow.getHandle(childId);
      await waitFor('child running', async () => (await child.describe().catch(() => undefined))?.status.name === 'RUNNING' || undefined);
      const pending = await waitFor('pending child', async () => (await parentHandle.describe()).raw.pendingChildren?.[0]);
      assert.equal(pending.workflowId, childId);
      assert.equal(pending.workflowTypeName, 'blockedChild');
      await child.terminate('stop');
      const err = await parentHandle.result().catch((e: unknown) => e);
      assert.ok(err instanceof WorkflowFailedError && err.cause instanceof ChildWorkflowFailure && err.cause.cause instanceof TerminatedFailure, String(err));
    },

    'query reject condition on a closed workflow': async ({ client, namespace, taskQueue, id }) => {
      const workflowId = id('rejectQuery');
      await client.workflow.execute('failing', { taskQueue, workflowId }).catch(() => undefined);
      const rejected = await new Client({ connection: client.connection, namespace, workflow: { queryRejectCondition: 'NOT_OPEN' } }).workflow
        .getHandle(workflowId)
        .query('state')
        .catch((e: unknown) => e);
      assert.ok(rejected instanceof QueryRejectedError, String(rejected));
    },

    'namespaces: default exists, register, describe, list, update retention': {
      liteOnly: 'it registers a namespace, which would stay behind on the reference server',
      run: async ({ client }) => {
        const svc = client.workflowService;
        const name = `ns-${Math.random().toString(36).slice(2)}`;
        await svc.registerNamespace({ namespace: name, workflowExecutionRetentionPeriod: msToTs('1 hour') });
        const d = await svc.describeNamespace({ namespace: name });
        assert.equal(d.namespaceInfo?.name, name);
        assert.equal(Number(d.config?.workflowExecutionRetentionTtl?.seconds), 3600);
        assert.ok(d.namespaceInfo?.capabilities?.syncUpdate);
        const list = await svc.listNamespaces({});
        const names = list.namespaces!.map((n) => n.namespaceInfo?.name);
        assert.ok(names.includes('default') && names.includes(name));
        await svc.updateNamespace({ namespace: name, config: { workflowExecutionRetentionTtl: msToTs('2 hours') } });
        assert.equal(Number((await svc.describeNamespace({ namespace: name })).config?.workflowExecutionRetentionTtl?.seconds), 7200);
        await assert.rejects(svc.registerNamespace({ namespace: name }), /already exists/);
      },
    },
  },
  { server: { searchAttributes: ['CustomKeywordField=Keyword', 'CustomIntField=Int'] } },
);
