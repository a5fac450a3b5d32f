// Conformance: workflow tasks, activities, timers, signals, queries, cancellation,
// termination, failures, describe and history reads, with the real SDK.
import { WorkflowFailedError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, QueryNotRegisteredError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import assert from 'node:assert/strict';
import { historyTypes, waitFor } from './helpers/harness.js';
import { conformanceSuite } from './helpers/scenarios.js';

conformanceSuite('temporal-lite conformance: core', {
  'workflow with one activity: result and history': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('greeting', { taskQueue, workflowId: id('greeting'), args: ['Temporal'] });
    assert.equal(await handle.result(), 'Hello, Temporal!');
    assert.deepEqual(await historyTypes(handle), [
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'ACTIVITY_TASK_SCHEDULED',
      'ACTIVITY_TASK_STARTED',
      'ACTIVITY_TASK_COMPLETED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_EXECUTION_COMPLETED',
    ]);
  },

  'timer: start and fire': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('sleeper', { taskQueue, workflowId: id('sleeper'), args: [300] });
    assert.ok((await handle.result()) >= 300);
    const types = await historyTypes(handle);
    assert.deepEqual(types.slice(4, 7), ['TIMER_STARTED', 'TIMER_FIRED', 'WORKFLOW_TASK_SCHEDULED']);
  },

  'timer: cancel': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('timerCancel', { taskQueue, workflowId: id('timerCancel') });
    assert.equal(await handle.result(), 'timer cancelled');
    const types = await historyTypes(handle);
    assert.deepEqual(
      types.filter((t) => t.startsWith('TIMER_')),
      ['TIMER_STARTED', 'TIMER_STARTED', 'TIMER_FIRED', 'TIMER_CANCELED'],
    );
  },

  'queries are answered while a stream of signals keeps the workflow busy': async ({ client, taskQueue, id }) => {
    const SIGNALS = 600;
    const handle = await client.workflow.start('tickCounter', { taskQueue, workflowId: id('ticks'), args: [SIGNALS] });
    let sent = 0;
    const senders = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (sent < SIGNALS) {
          sent += 1;
          await handle.signal('tick');
        }
      }),
    );
    let sending = true;
    void senders.finally(() => (sending = false));
    const whileOpen: number[] = [];
    while (sending) {
      const seen = await handle.query<number>('ticks');
      if (seen < SIGNALS) whileOpen.push(seen);
    }
    await senders;
    assert.equal(await handle.result(), SIGNALS);
    // Each answer comes from the running workflow, not only once it has closed.
    assert.ok(whileOpen.length >= 2, `only ${whileOpen.length} queries answered while the workflow ran`);
    assert.deepEqual(
      whileOpen,
      [...whileOpen].sort((a, b) => a - b),
      'answers follow the signals in order',
    );
  },

  'signals and queries (query task, attached query, query after close)': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('signalAndQuery', { taskQueue, workflowId: id('signals') });
    assert.equal(await handle.query('state'), 'waiting');
    await handle.signal('unblock', 'a');
    await handle.signal('unblock', 'b');
    assert.deepEqual(await handle.result(), ['a', 'b']);
    assert.equal(await handle.query('state'), 'done');
    await assert.rejects(handle.query('no-such-query'), QueryNotRegisteredError);
    const types = await historyTypes(handle);
    assert.equal(types.filter((t) => t === 'WORKFLOW_EXECUTION_SIGNALED').length, 2);
  },

  'signal-with-start: starts, then signals the running workflow': async ({ client, taskQueue, id }) => {
    const workflowId = id('sws');
    const handle = await client.workflow.signalWithStart('signalAndQuery', { taskQueue, workflowId, signal: 'unblock', signalArgs: ['first'] });
    const again = await client.workflow.signalWithStart('signalAndQuery', { taskQueue, workflowId, signal: 'unblock', signalArgs: ['second'] });
    assert.equal(again.signaledRunId, handle.signaledRunId);
    assert.deepEqual(await handle.result(), ['first', 'second']);
    assert.deepEqual((await historyTypes(handle)).slice(0, 3), ['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
  },

  'activity retries with backoff until success': async ({ client, taskQueue, id }) => {
    const workflowId = id('retries');
    assert.equal(await client.workflow.execute('retries', { taskQueue, workflowId, args: [workflowId] }), 3);
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const started = history.events!.find((e) => e.activityTaskStartedEventAttributes)!;
    assert.equal(started.activityTaskStartedEventAttributes!.attempt, 3);
    assert.equal(started.activityTaskStartedEventAttributes!.lastFailure?.message, 'flaky failure 2');
  },

  'activity failure: non-retryable type and maximum attempts': async ({ client, taskQueue, id }) => {
    const fatal = await client.workflow.start('failingActivity', { taskQueue, workflowId: id('fatal'), args: ['Fatal', false] });
    const err = await fatal.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ActivityFailure);
    assert.ok(err.cause.cause instanceof ApplicationFailure);
    assert.equal(err.cause.cause.type, 'Fatal');
    assert.equal(err.cause.retryState, 'NON_RETRYABLE_FAILURE');

    const exhausted = await client.workflow.start('failingActivity', { taskQueue, workflowId: id('exhausted'), args: ['Transient', false] });
    const err2 = await exhausted.result().catch((e: unknown) => e);
    assert.ok(err2 instanceof WorkflowFailedError && err2.cause instanceof ActivityFailure);
    assert.equal(err2.cause.retryState, 'MAXIMUM_ATTEMPTS_REACHED');
  },

  'activity heartbeat details survive a retry': async ({ client, taskQueue, id }) => {
    assert.equal(await client.workflow.execute('heartbeats', { taskQueue, workflowId: id('heartbeats') }), 'resumed from 2 at attempt 2');
  },

  'a heartbeating activity retried after a backoff longer than its heartbeat timeout gets a full heartbeat timeout': async ({ client, taskQueue, id }) => {
    // Temporal counts an attempt's heartbeat timeout from the attempt's start and from each of its heartbeats.
    const handle = await client.workflow.start('heartbeatsAfterLongBackoff', { taskQueue, workflowId: id('heartbeats-backoff') });
    assert.equal(await handle.result(), 'resumed from 2 at attempt 2');
  },

  'activity timeouts: start-to-close, heartbeat, schedule-to-close, schedule-to-start': async ({ client, taskQueue, id }) => {
    const expected: Record<string, TimeoutType> = {
      startToClose: TimeoutType.START_TO_CLOSE,
      heartbeat: TimeoutType.HEARTBEAT,
      scheduleToClose: TimeoutType.SCHEDULE_TO_CLOSE,
      scheduleToStart: TimeoutType.SCHEDULE_TO_START,
    };
    await Promise.all(
      Object.entries(expected).map(async ([kind, type]) => {
        const err = await client.workflow.execute('activityTimeout', { taskQueue, workflowId: id(`timeout-${kind}`), args: [kind] }).catch((e: unknown) => e);
        assert.ok(err instanceof WorkflowFailedError, `${kind}: ${err}`);
        assert.ok(err.cause instanceof ActivityFailure, `${kind}: ${err.cause}`);
        const cause = err.cause.cause;
        assert.ok(cause instanceof TimeoutFailure, `${kind}: ${cause}`);
        assert.equal(cause.timeoutType, type, kind);
      }),
    );
  },

  'activity cancellation requested by the workflow': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('cancelActivity', { taskQueue, workflowId: id('cancelActivity') });
    assert.equal(await handle.result(), 'activity cancelled');
    const types = await historyTypes(handle);
    assert.ok(types.includes('ACTIVITY_TASK_CANCEL_REQUESTED'));
    assert.ok(types.includes('ACTIVITY_TASK_CANCELED'));
  },

  'local activities are recorded as markers': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('localActivities', { taskQueue, workflowId: id('local') });
    assert.deepEqual(await handle.result(), ['Hello, one!', 'Hello, two!']);
    assert.equal((await historyTypes(handle)).filter((t) => t === 'MARKER_RECORDED').length, 2);
  },

  'workflow failure: WorkflowFailedError with ApplicationFailure cause': async ({ client, taskQueue, id }) => {
    const err = await client.workflow.execute('failing', { taskQueue, workflowId: id('failing') }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'MyError');
    assert.equal(err.cause.message, 'workflow failed on purpose');
  },

  'workflow task failure is retried (transient attempt)': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('failsFirstTask', { taskQueue, workflowId: id('wftFail') });
    assert.equal(await handle.result(), 'Hello, after failure!');
    const types = await historyTypes(handle);
    assert.deepEqual(types.slice(0, 7), [
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_FAILED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
    ]);
  },

  'workflow cancellation runs cleanup and ends Canceled': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('cancellable', { taskQueue, workflowId: id('cancellable') });
    await waitFor('timer started', async () => (await historyTypes(handle)).includes('TIMER_STARTED'));
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof CancelledFailure);
    const types = await historyTypes(handle);
    for (const t of ['WORKFLOW_EXECUTION_CANCEL_REQUESTED', 'TIMER_CANCELED', 'ACTIVITY_TASK_COMPLETED', 'WORKFLOW_EXECUTION_CANCELED'])
      assert.ok(types.includes(t), t);
    assert.equal((await handle.describe()).status.name, 'CANCELLED');
  },

  'termination: TerminatedFailure, later calls get NOT_FOUND': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('runForever', { taskQueue, workflowId: id('terminate') });
    await handle.terminate('enough');
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof TerminatedFailure);
    assert.equal((await handle.describe()).status.name, 'TERMINATED');
    await assert.rejects(handle.signal('unblock', 'late'), WorkflowNotFoundError);
    assert.equal((await historyTypes(handle)).at(-1), 'WORKFLOW_EXECUTION_TERMINATED');
  },

  'describe: pending activity with attempt and heartbeat details, then closed': async ({ client, taskQueue, id }) => {
    const handle = await client.workflow.start('cancelActivity', { taskQueue, workflowId: id('describe'), memo: { owner: 'tests' } });
    const pending = await waitFor('pending activity started', async () => {
      const d = await handle.describe();
      const a = d.raw.pendingActivities?.[0];
      return a && a.state === 2 /* STARTED */ ? { d, a } : undefined;
    });
    assert.equal(pending.a.activityType?.name, 'waitForCancel');
    assert.equal(pending.a.attempt, 1);
    assert.equal(pending.d.status.name, 'RUNNING');
    assert.equal(pending.d.taskQueue, taskQueue);
    assert.deepEqual(pending.d.memo, { owner: 'tests' });
    await handle.result();
    const closed = await handle.describe();
    assert.equal(closed.status.name, 'COMPLETED');
    assert.ok(closed.closeTime);
    assert.ok(closed.historyLength >= 10);
  },

  'duplicate start is rejected; conflict and reuse policies apply': async ({ client, taskQueue, id }) => {
    const workflowId = id('policies');
    const first = await client.workflow.start('runForever', { taskQueue, workflowId });
    await assert.rejects(client.workflow.start('runForever', { taskQueue, workflowId }), WorkflowExecutionAlreadyStartedError);
    const existing = await client.workflow.start('runForever', { taskQueue, workflowId, workflowIdConflictPolicy: 'USE_EXISTING' });
    assert.equal(existing.firstExecutionRunId, first.firstExecutionRunId);
    const replaced = await client.workflow.start('greeting', { taskQueue, workflowId, args: ['again'], workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
    assert.notEqual(replaced.firstExecutionRunId, first.firstExecutionRunId);
    assert.equal((await client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe()).status.name, 'TERMINATED');
    assert.equal(await replaced.result(), 'Hello, again!');
    await assert.rejects(
      client.workflow.start('greeting', { taskQueue, workflowId, args: ['x'], workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
      WorkflowExecutionAlreadyStartedError,
    );
    await assert.rejects(
      client.workflow.start('greeting', { taskQueue, workflowId, args: ['x'], workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' }),
      WorkflowExecutionAlreadyStartedError,
    );
    const again = await client.workflow.start('greeting', { taskQueue, workflowId, args: ['third'], workflowIdReusePolicy: 'ALLOW_DUPLICATE' });
    assert.equal(await again.result(), 'Hello, third!');

    const failedId = id('failedOnly');
    await client.workflow.execute('failing', { taskQueue, workflowId: failedId }).catch(() => undefined);
    const retried = await client.workflow.start('greeting', {
      taskQueue,
      workflowId: failedId,
      args: ['retry'],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    assert.equal(await retried.result(), 'Hello, retry!');
  },

  'history: pagination and reverse order': async ({ client, namespace, taskQueue, id }) => {
    const workflowId = id('history');
    await client.workflow.execute('greeting', { taskQueue, workflowId, args: ['pages'] });
    const svc = client.workflowService;
    const ids: number[] = [];
    let nextPageToken: Uint8Array | undefined;
    let pages = 0;
    do {
      const res = await svc.getWorkflowExecutionHistory({ namespace, execution: { workflowId }, maximumPageSize: 4, nextPageToken });
      ids.push(...res.history!.events!.map((e) => Number(e.eventId)));
      nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
      pages++;
    } while (nextPageToken);
    assert.deepEqual(ids, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(pages, 3);
    const reverse = await svc.getWorkflowExecutionHistoryReverse({ namespace, execution: { workflowId }, maximumPageSize: 3 });
    assert.deepEqual(
      reverse.history!.events!.map((e) => Number(e.eventId)),
      [11, 10, 9],
    );
  },

  'each run gets its own random seed': async ({ client, taskQueue, id }) => {
    const a = await client.workflow.execute('randomness', { taskQueue, workflowId: id('random') });
    const b = await client.workflow.execute('randomness', { taskQueue, workflowId: id('random') });
    assert.notEqual(a, b);
  },
});
