// Protocol rules exercised with raw gRPC calls standing in for a worker, then finished by a
// real SDK worker (whose replay proves the histories are well-formed): workflow task
// timeouts, events buffered during a task, unhandled-command rejection, bad commands, queries
// attached to a scheduled task, query-only tasks and their timeout.
import { status } from '@grpc/grpc-js';
import proto from '@temporalio/proto';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertReplays, historyTypes, startEnv, startWorker, waitFor, type Env } from './helpers/harness.js';

type PollResponse = proto.temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse;
const { CommandType } = proto.temporal.api.enums.v1;

describe('temporal-lite protocol rules', () => {
  let env: Env;
  before(async () => {
    env = await startEnv();
  });
  after(async () => {
    await env.close();
  });

  async function pollTask(taskQueue: string): Promise<PollResponse> {
    const res = await env.client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw-test' });
    assert.ok(res.taskToken?.length, 'a workflow task');
    return res;
  }

  /** Lets a real worker finish the workflow, then checks the result and that the history replays. */
  async function finishWithWorker(taskQueue: string, workflowId: string): Promise<unknown> {
    const worker = await startWorker(env, taskQueue, false);
    try {
      return await env.client.workflow.getHandle(workflowId).result();
    } finally {
      await worker.stop();
      await assertReplays(env.client, `WorkflowId = '${workflowId}'`);
    }
  }

  it('an unanswered workflow task times out and is retried', async () => {
    const taskQueue = `tq-${randomUUID()}`;
    const handle = await env.client.workflow.start('greeting', {
      taskQueue,
      workflowId: `timeout-${randomUUID()}`,
      args: ['late'],
      workflowTaskTimeout: '300ms',
    });
    await pollTask(taskQueue);
    await waitFor('task timed out', async () => (await historyTypes(handle)).includes('WORKFLOW_TASK_TIMED_OUT') || undefined);
    assert.equal(await finishWithWorker(taskQueue, handle.workflowId), 'Hello, late!');
    assert.deepEqual((await historyTypes(handle)).slice(0, 7), [
      'WORKFLOW_EXECUTION_STARTED',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_TIMED_OUT',
      'WORKFLOW_TASK_SCHEDULED',
      'WORKFLOW_TASK_STARTED',
      'WORKFLOW_TASK_COMPLETED',
    ]);
  });

  it('a signal during a task is buffered; closing the workflow over it is rejected (UNHANDLED_COMMAND)', async () => {
    const taskQueue = `tq-${randomUUID()}`;
    const handle = await env.client.workflow.start('greeting', { taskQueue, workflowId: `buffered-${randomUUID()}`, args: ['buffered'] });
    const task = await pollTask(taskQueue);
    await handle.signal('unblock', 'during task');
    assert.deepEqual(await historyTypes(handle), ['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED'], 'signal held back');
    // As Temporal's history service answers: the worker must drop its closed run and replay it.
    await assert.rejects(
      env.client.workflowService.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: task.taskToken,
        identity: 'raw-test',
        commands: [{ commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, completeWorkflowExecutionCommandAttributes: {} }],
      }),
      (err: { code?: number; details?: string }) => err.code === status.INVALID_ARGUMENT && err.details === 'UnhandledCommand',
    );
    const history = await handle.fetchHistory();
    const failed = history.events!.find((e) => e.workflowTaskFailedEventAttributes)!;
    assert.equal(
      failed.workflowTaskFailedEventAttributes!.cause,
      proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
    );
    assert.deepEqual((await historyTypes(handle)).slice(3, 6), ['WORKFLOW_TASK_FAILED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
    assert.equal(await finishWithWorker(taskQueue, handle.workflowId), 'Hello, buffered!');
  });

  it('a signal during a task lands after that task’s completion events', async () => {
    const taskQueue = `tq-${randomUUID()}`;
    const handle = await env.client.workflow.start('signalAndQuery', { taskQueue, workflowId: `after-${randomUUID()}` });
    const task = await pollTask(taskQueue);
    await handle.signal('unblock', 'one');
    await env.client.workflowService.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: task.taskToken, identity: 'raw-test', commands: [] });
    assert.deepEqual((await historyTypes(handle)).slice(3), ['WORKFLOW_TASK_COMPLETED', 'WORKFLOW_EXECUTION_SIGNALED', 'WORKFLOW_TASK_SCHEDULED']);
    await handle.signal('unblock', 'two');
    assert.deepEqual(await finishWithWorker(taskQueue, handle.workflowId), ['one', 'two']);
  });

  it('a command for an unknown activity fails the task with INVALID_ARGUMENT; the run survives', async () => {
    const taskQueue = `tq-${randomUUID()}`;
    const handle = await env.client.workflow.start('greeting', { taskQueue, workflowId: `badcmd-${randomUUID()}`, args: ['recovered'] });
    const task = await pollTask(taskQueue);
    await assert.rejects(
      env.client.workflowService.respondWorkflowTaskCompleted({
        namespace: 'default',
        taskToken: task.taskToken,
        commands: [
          {
            commandType: CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
            requestCancelActivityTaskCommandAttributes: proto.temporal.api.command.v1.RequestCancelActivityTaskCommandAttributes.fromObject({
              scheduledEventId: 99,
            }),
          },
        ],
      }),
      (err: { code?: number; details?: string }) => err.code === status.INVALID_ARGUMENT && /event id 99/.test(err.details ?? ''),
    );
    const failed = (await handle.fetchHistory()).events!.find((e) => e.workflowTaskFailedEventAttributes)!;
    assert.equal(
      failed.workflowTaskFailedEventAttributes!.cause,
      proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
    );
    // The same token is spent now.
    await assert.rejects(
      env.client.workflowService.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: task.taskToken, commands: [] }),
      (err: { code?: number }) => err.code === status.NOT_FOUND,
    );
    assert.equal(await finishWithWorker(taskQueue, handle.workflowId), 'Hello, recovered!');
  });

  it('a query task is query-only and holds the run’s next workflow task until it is answered', async () => {
    const taskQueue = `tq-${randomUUID()}`;
    const handle = await env.client.workflow.start('signalAndQuery', { taskQueue, workflowId: `held-${randomUUID()}` });
    const first = await pollTask(taskQueue);
    await env.client.workflowService.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: first.taskToken, identity: 'raw-test', commands: [] });
    const answer = handle.query('state');
    const queryTask = await pollTask(taskQueue);
    assert.equal(queryTask.query?.queryType, 'state');
    // No workflow task was started for it: Core tells query-only tasks apart by this 0.
    assert.equal(Number(queryTask.startedEventId), 0);
    assert.equal(Number(queryTask.previousStartedEventId), Number(first.startedEventId));
    await handle.signal('unblock', 'a');
    // The signal's task is scheduled but not handed out while the query task is unanswered.
    const early = await env.client
      .withDeadline(Date.now() + 500, () =>
        env.client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw-test' }),
      )
      .catch(() => undefined);
    assert.ok(!early?.taskToken?.length, 'the workflow task waited for the query');
    const { defaultPayloadConverter } = await import('@temporalio/common');
    await env.client.workflowService.respondQueryTaskCompleted({
      namespace: 'default',
      taskToken: queryTask.taskToken,
      completedType: proto.temporal.api.enums.v1.QueryResultType.QUERY_RESULT_TYPE_ANSWERED,
      queryResult: { payloads: [defaultPayloadConverter.toPayload('raw answer')] },
    });
    assert.equal(await answer, 'raw answer');
    const next = await pollTask(taskQueue);
    assert.ok(!next.query, 'then the workflow task comes');
    await env.client.workflowService.respondWorkflowTaskFailed({ namespace: 'default', taskToken: next.taskToken, identity: 'raw-test' });
    await handle.signal('unblock', 'b');
    assert.deepEqual(await finishWithWorker(taskQueue, handle.workflowId), ['a', 'b']);
  });

  it('a query task nobody answers fails with DEADLINE_EXCEEDED and frees the run', async () => {
    const quick = await startEnv({ queryTaskTimeoutMs: 300 });
    try {
      const taskQueue = `tq-${randomUUID()}`;
      const handle = await quick.client.workflow.start('signalAndQuery', { taskQueue, workflowId: `expired-${randomUUID()}` });
      const first = await quick.client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw-test' });
      await quick.client.workflowService.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: first.taskToken, identity: 'raw-test', commands: [] });
      const answer = handle.query('state').then(
        () => 'answered',
        (err: Error) => {
          const cause = err.cause as { code?: number; details?: string } | undefined;
          return `${cause?.code === status.DEADLINE_EXCEEDED ? 'DEADLINE_EXCEEDED' : cause?.code}: ${cause?.details}`;
        },
      );
      const lost = await quick.client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw-test' });
      assert.ok(lost.query, 'the query task, never answered');
      assert.equal(await answer, 'DEADLINE_EXCEEDED: No worker answered the query within 300 ms.');
      await handle.signal('unblock', 'a');
      await handle.signal('unblock', 'b');
      const worker = await startWorker(quick, taskQueue, true);
      try {
        assert.deepEqual(await handle.result(), ['a', 'b']);
      } finally {
        await worker.stop();
      }
    } finally {
      await quick.close();
    }
  });

  it('a query arriving while a task is scheduled rides on that task', async () => {
    const taskQueue = `tq-${randomUUID()}`;
    const handle = await env.client.workflow.start('signalAndQuery', { taskQueue, workflowId: `attached-${randomUUID()}` });
    const answer = handle.query('state');
    const worker = await startWorker(env, taskQueue, false);
    try {
      assert.equal(await answer, 'waiting');
      await handle.signal('unblock', 'a');
      await handle.signal('unblock', 'b');
      assert.deepEqual(await handle.result(), ['a', 'b']);
    } finally {
      await worker.stop();
    }
  });
});
