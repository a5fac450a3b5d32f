// Conformance: ResetWorkflowExecution to a workflow task completed event, with the signals
// received after that point reapplied or not, per the request's reset reapply options.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { status } from '@grpc/grpc-js';
import proto from '@temporalio/proto';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eventTypes, waitFor } from './helpers/harness.js';
import { conformanceSuiteInBothModes } from './helpers/scenarios.js';

const { ResetReapplyExcludeType } = proto.temporal.api.enums.v1;

/** A `resettable` workflow that has run its activity and received the signal 'a'; the id of its first workflow task completed event. */
async function signalledOnce(client: Client, taskQueue: string, workflowId: string): Promise<{ handle: WorkflowHandle; firstTaskCompleted: number }> {
  const handle = await client.workflow.start('resettable', { taskQueue, workflowId });
  await waitFor('activity completed', async () => eventTypes(await handle.fetchHistory()).includes('ACTIVITY_TASK_COMPLETED'));
  await handle.signal('unblock', 'a');
  const types = eventTypes(await handle.fetchHistory());
  return { handle, firstTaskCompleted: types.indexOf('WORKFLOW_TASK_COMPLETED') + 1 };
}

async function reset(client: Client, namespace: string, handle: WorkflowHandle, eventId: number, excludeSignals = false): Promise<string> {
  // fromObject takes the int64 event id as a number.
  const request = proto.temporal.api.workflowservice.v1.ResetWorkflowExecutionRequest.fromObject({
    namespace,
    workflowExecution: { workflowId: handle.workflowId },
    reason: 'conformance reset',
    workflowTaskFinishEventId: eventId,
    requestId: randomUUID(),
    resetReapplyExcludeTypes: excludeSignals ? [ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL] : [],
  });
  const response = await client.workflowService.resetWorkflowExecution(request);
  assert.ok(response.runId);
  return response.runId;
}

conformanceSuiteInBothModes('temporal-lite conformance: reset', {
  'reset to the first workflow task: the old run is terminated, the new one reruns from there with the later signal reapplied': async ({
    client,
    namespace,
    taskQueue,
    id,
  }) => {
    const { handle, firstTaskCompleted } = await signalledOnce(client, taskQueue, id('reset'));
    const oldRunId = (await handle.describe()).runId;
    const newRunId = await reset(client, namespace, handle, firstTaskCompleted);
    assert.notEqual(newRunId, oldRunId);
    assert.equal((await client.workflow.getHandle(handle.workflowId, oldRunId).describe()).status.name, 'TERMINATED');
    const newRun = client.workflow.getHandle(handle.workflowId, newRunId);
    await waitFor('the reset run reruns its activity', async () => eventTypes(await newRun.fetchHistory()).includes('ACTIVITY_TASK_COMPLETED'));
    await newRun.signal('unblock', 'b');
    assert.deepEqual(await newRun.result(), ['a', 'b']);
    const history = await newRun.fetchHistory();
    const types = eventTypes(history);
    assert.deepEqual(types.slice(0, firstTaskCompleted + 1), [
      ...types.slice(0, firstTaskCompleted - 1),
      'WORKFLOW_TASK_FAILED',
      'WORKFLOW_EXECUTION_SIGNALED',
    ]);
    const failed = history.events?.[firstTaskCompleted - 1].workflowTaskFailedEventAttributes;
    assert.equal(failed?.cause, proto.temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW);
    assert.equal(failed?.baseRunId, oldRunId);
    assert.equal(failed?.newRunId, newRunId);
  },

  'reset excluding signals: the later signal is not reapplied': async ({ client, namespace, taskQueue, id }) => {
    const { handle, firstTaskCompleted } = await signalledOnce(client, taskQueue, id('resetNoSignals'));
    const newRun = client.workflow.getHandle(handle.workflowId, await reset(client, namespace, handle, firstTaskCompleted, true));
    await newRun.signal('unblock', 'c');
    await newRun.signal('unblock', 'd');
    assert.deepEqual(await newRun.result(), ['c', 'd']);
  },

  'a reset point that is not a workflow task finish event is INVALID_ARGUMENT': async ({ client, namespace, taskQueue, id }) => {
    const { handle } = await signalledOnce(client, taskQueue, id('resetInvalid'));
    const err = await reset(client, namespace, handle, 1).then(
      () => assert.fail('reset to event 1 succeeded'),
      (e: unknown) => e,
    );
    assert.equal(err instanceof Error && 'code' in err ? err.code : undefined, status.INVALID_ARGUMENT, String(err));
    await handle.signal('unblock', 'b');
    assert.deepEqual(await handle.result(), ['a', 'b']);
  },
});
