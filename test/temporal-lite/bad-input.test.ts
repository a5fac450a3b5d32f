// Client mistakes get precise gRPC errors, and never disturb other workflows.
import { status } from '@grpc/grpc-js';
import proto from '@temporalio/proto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeToken } from '../../temporal-lite/engine/tokens.js';
import { startEnv, startWorker, type Env, type RunningWorker } from './helpers/harness.js';

function rejectsWith(code: status, pattern: RegExp) {
  return (err: unknown) => {
    const e = err as { code?: number; details?: string; message?: string };
    assert.equal(e.code, code, `code ${e.code} (${e.details ?? e.message}), expected ${status[code]}`);
    assert.match(e.details ?? e.message ?? '', pattern);
    return true;
  };
}

describe('temporal-lite bad input', () => {
  let env: Env;
  let worker: RunningWorker;
  before(async () => {
    env = await startEnv();
    worker = await startWorker(env, 'bad-input', true);
  });
  after(async () => {
    await worker.stop();
    await env.close();
  });

  it('unknown namespace → NOT_FOUND', async () => {
    await assert.rejects(
      env.client.workflowService.startWorkflowExecution({
        namespace: 'nope',
        workflowId: 'x',
        workflowType: { name: 'greeting' },
        taskQueue: { name: 'q' },
        requestId: 'r',
      }),
      rejectsWith(status.NOT_FOUND, /Namespace nope is not found/),
    );
    await assert.rejects(env.client.workflowService.describeNamespace({ namespace: 'nope' }), rejectsWith(status.NOT_FOUND, /nope/));
  });

  it('malformed and stale task tokens', async () => {
    const svc = env.client.workflowService;
    await assert.rejects(
      svc.respondActivityTaskCompleted({ namespace: 'default', taskToken: Buffer.from('garbage') }),
      rejectsWith(status.INVALID_ARGUMENT, /task token/),
    );
    const names = { namespaceId: 'no-such-namespace-id', workflowId: 'no-such-workflow', workflowType: 'greeting', attempt: 1 };
    const stale = encodeToken({ kind: 'workflow', ...names, runId: 'no-such-run', scheduledEventId: 2 });
    await assert.rejects(
      svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: stale }),
      rejectsWith(status.NOT_FOUND, /Workflow task not found/),
    );
    const activityToken = encodeToken({ kind: 'activity', ...names, runId: 'no-such-run', scheduledEventId: 5, activityId: '5', activityType: 'greet' });
    await assert.rejects(
      svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: activityToken }),
      rejectsWith(status.INVALID_ARGUMENT, /not a workflow task token/),
    );
    await assert.rejects(
      svc.respondActivityTaskCompleted({ namespace: 'default', taskToken: activityToken.subarray(0, 5) }),
      rejectsWith(status.INVALID_ARGUMENT, /Error deserializing task token/),
    );
    await assert.rejects(
      svc.respondActivityTaskCompleted({ namespace: 'default', taskToken: activityToken }),
      rejectsWith(status.NOT_FOUND, /Activity task not found/),
    );
    await assert.rejects(svc.respondWorkflowTaskCompleted({ namespace: 'default' }), rejectsWith(status.INVALID_ARGUMENT, /Task token is not set/));
  });

  it('RPCs temporal-lite does not serve → UNIMPLEMENTED naming the RPC', async () => {
    await assert.rejects(env.client.workflowService.listBatchOperations({ namespace: 'default' }), rejectsWith(status.UNIMPLEMENTED, /ListBatchOperations/));
  });

  it('missing fields → INVALID_ARGUMENT', async () => {
    await assert.rejects(
      env.client.workflowService.startWorkflowExecution({ namespace: 'default', workflowId: 'x', taskQueue: { name: 'q' }, requestId: 'r' }),
      rejectsWith(status.INVALID_ARGUMENT, /WorkflowType is not set/),
    );
    await assert.rejects(
      env.client.workflowService.signalWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId: 'nobody' }, signalName: 's' }),
      rejectsWith(status.NOT_FOUND, /nobody/),
    );
    await assert.rejects(
      env.client.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId: 'x' }, nextPageToken: Buffer.from('junk') }),
      rejectsWith(status.INVALID_ARGUMENT, /page token/),
    );
  });

  it('a start retried with the same request id is idempotent', async () => {
    const req = { namespace: 'default', workflowId: 'idempotent', workflowType: { name: 'runForever' }, taskQueue: { name: 'bad-input' }, requestId: 'req-1' };
    const first = await env.client.workflowService.startWorkflowExecution(req);
    const again = await env.client.workflowService.startWorkflowExecution(req);
    assert.equal(again.runId, first.runId);
    assert.equal(again.started, true);
    await assert.rejects(
      env.client.workflowService.startWorkflowExecution({ ...req, requestId: 'req-2' }),
      rejectsWith(status.ALREADY_EXISTS, /already running/),
    );
    await env.client.workflow.getHandle('idempotent').terminate();
  });

  it('bad search attribute at start → INVALID_ARGUMENT', async () => {
    await assert.rejects(
      env.client.workflow.start('greeting', { taskQueue: 'bad-input', workflowId: 'bad-sa', args: ['x'], searchAttributes: { NotRegistered: ['x'] } }),
      (err: unknown) => {
        const cause = (err as { cause?: { code?: number; details?: string } }).cause;
        assert.equal(cause?.code, status.INVALID_ARGUMENT);
        assert.match(cause?.details ?? '', /NotRegistered/);
        return true;
      },
    );
  });

  it('a completion for a closed workflow → NOT_FOUND; other workflows unaffected', async () => {
    const handle = await env.client.workflow.start('runForever', { taskQueue: 'bad-input', workflowId: 'closed-target' });
    await handle.terminate();
    await assert.rejects(handle.signal('unblock', 'x'), /not found|completed/i);
    await assert.rejects(handle.cancel(), /not found|completed/i);
    assert.equal(await env.client.workflow.execute('greeting', { taskQueue: 'bad-input', workflowId: 'still-fine', args: ['ok'] }), 'Hello, ok!');
  });

  it('completing a task of a workflow that has closed → NOT_FOUND "workflow execution already completed"', async () => {
    const svc = env.client.workflowService;
    const taskQueue = 'bad-input-closed'; // no worker: the test polls by hand
    const handle = await env.client.workflow.start('greeting', { taskQueue, workflowId: 'closed-tasks', args: ['x'] });
    const wft = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw' });
    await handle.terminate();
    await assert.rejects(
      svc.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: wft.taskToken, commands: [] }),
      rejectsWith(status.NOT_FOUND, /^workflow execution already completed$/),
    );
    const other = await env.client.workflow.start('greeting', { taskQueue, workflowId: 'closed-activity', args: ['y'] });
    const first = await svc.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw' });
    await svc.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: first.taskToken,
      commands: [
        {
          commandType: proto.temporal.api.enums.v1.CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
          scheduleActivityTaskCommandAttributes: proto.temporal.api.command.v1.ScheduleActivityTaskCommandAttributes.fromObject({
            activityId: '1',
            activityType: { name: 'greet' },
            taskQueue: { name: taskQueue },
            startToCloseTimeout: { seconds: 10 },
          }),
        },
      ],
    });
    const activity = await svc.pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw' });
    assert.ok(activity.taskToken?.length, 'an activity task');
    await other.terminate();
    await assert.rejects(
      svc.respondActivityTaskCompleted({ namespace: 'default', taskToken: activity.taskToken }),
      rejectsWith(status.NOT_FOUND, /^workflow execution already completed$/),
    );
  });
});
