// Conformance: update-with-start (ExecuteMultiOperation) with each workflow id conflict policy,
// deduplication by update id, and the validation errors Temporal returns.
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { status } from '@grpc/grpc-js';
import type { WorkflowIdConflictPolicy } from '@temporalio/common';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { conformanceSuiteInBothModes } from './helpers/scenarios.js';

/** `add(n)` on the `updatable` workflow `workflowId`, starting it per the conflict policy: the update's result and the run it went to. */
async function addWithStart(client: Client, taskQueue: string, workflowId: string, conflictPolicy: WorkflowIdConflictPolicy, n: number, updateId?: string) {
  const startWorkflowOperation = new WithStartWorkflowOperation('updatable', { taskQueue, workflowId, workflowIdConflictPolicy: conflictPolicy });
  const update = client.workflow.startUpdateWithStart('add', { args: [n], updateId, startWorkflowOperation, waitForStage: 'ACCEPTED' });
  const result = update.then((accepted) => accepted.result());
  const runId = update.then((accepted) => accepted.workflowRunId);
  // Both settle even when the test only awaits one of them.
  result.catch(() => undefined);
  runId.catch(() => undefined);
  return { result, runId, handle: startWorkflowOperation.workflowHandle() };
}

const grpcError = (err: unknown): { code?: unknown; message?: unknown } =>
  err instanceof Error ? { code: 'code' in err ? err.code : undefined, message: err.message } : {};
/** The error of a call that must fail. */
const failureOf = (call: Promise<unknown>) => call.then(() => assert.fail('the call succeeded'), grpcError);

conformanceSuiteInBothModes('temporal-lite conformance: update-with-start', {
  'USE_EXISTING: starts the workflow with the update, then updates the running one': async ({ client, taskQueue, id }) => {
    const workflowId = id('uwsUseExisting');
    const first = await addWithStart(client, taskQueue, workflowId, 'USE_EXISTING', 5);
    assert.equal(await first.result, 5);
    const second = await addWithStart(client, taskQueue, workflowId, 'USE_EXISTING', 10);
    assert.equal(await second.result, 15);
    assert.ok(await first.runId);
    assert.equal(await second.runId, await first.runId);
    await (await first.handle).signal('done');
    assert.equal(await (await first.handle).result(), 15);
  },

  'FAIL: a running workflow fails the start (WorkflowExecutionAlreadyStartedError) and the update is not applied': async ({ client, taskQueue, id }) => {
    const workflowId = id('uwsFail');
    const first = await addWithStart(client, taskQueue, workflowId, 'FAIL', 1);
    assert.equal(await first.result, 1);
    const second = await addWithStart(client, taskQueue, workflowId, 'FAIL', 100);
    await assert.rejects(second.result, WorkflowExecutionAlreadyStartedError);
    await assert.rejects(second.handle, WorkflowExecutionAlreadyStartedError);
    const handle = await first.handle;
    await handle.signal('done');
    assert.equal(await handle.result(), 1);
  },

  'TERMINATE_EXISTING: the running workflow is terminated, a new run gets the update': async ({ client, taskQueue, id }) => {
    const workflowId = id('uwsTerminate');
    const first = await addWithStart(client, taskQueue, workflowId, 'TERMINATE_EXISTING', 7);
    assert.equal(await first.result, 7);
    const second = await addWithStart(client, taskQueue, workflowId, 'TERMINATE_EXISTING', 3);
    assert.equal(await second.result, 3);
    const [oldRunId, newRunId, newRun] = [await first.runId, await second.runId, await second.handle];
    assert.ok(oldRunId && newRunId && newRunId !== oldRunId);
    assert.equal((await client.workflow.getHandle(workflowId, oldRunId).describe()).status.name, 'TERMINATED');
    await newRun.signal('done');
    assert.equal(await newRun.result(), 3);
  },

  'the same update id again: the first outcome, not applied twice; a rejected update still starts the workflow': async ({ client, taskQueue, id }) => {
    const workflowId = id('uwsDedup');
    const updateId = randomUUID();
    assert.equal(await (await addWithStart(client, taskQueue, workflowId, 'USE_EXISTING', 4, updateId)).result, 4);
    assert.equal(await (await addWithStart(client, taskQueue, workflowId, 'USE_EXISTING', 4, updateId)).result, 4);
    const rejectedId = id('uwsRejected');
    const rejected = await addWithStart(client, taskQueue, rejectedId, 'USE_EXISTING', 5000);
    await assert.rejects(rejected.result, WorkflowUpdateFailedError);
    const started = await rejected.handle;
    assert.equal((await started.describe()).status.name, 'RUNNING');
    for (const handle of [started, client.workflow.getHandle(workflowId)]) {
      await handle.signal('done');
    }
    assert.equal(await client.workflow.getHandle(workflowId).result(), 4);
  },

  "validation: Temporal's INVALID_ARGUMENT errors": async ({ client, namespace, taskQueue, id }) => {
    const workflowId = id('uwsInvalid', false);
    const start = {
      namespace,
      workflowId,
      workflowType: { name: 'updatable' },
      taskQueue: { name: taskQueue },
      requestId: randomUUID(),
      workflowIdConflictPolicy: 2,
    };
    const update = (target: string) => ({
      namespace,
      workflowExecution: { workflowId: target },
      request: { meta: { updateId: randomUUID() }, input: { name: 'add' } },
      waitPolicy: { lifecycleStage: 2 },
    });
    const svc = client.workflowService;
    const onlyStart = await failureOf(svc.executeMultiOperation({ namespace, operations: [{ startWorkflow: start }] }));
    assert.deepEqual(onlyStart, { code: status.INVALID_ARGUMENT, message: '3 INVALID_ARGUMENT: Operations have to be exactly [Start, Update].' });
    const swapped = await failureOf(svc.executeMultiOperation({ namespace, operations: [{ updateWorkflow: update(workflowId) }, { startWorkflow: start }] }));
    assert.equal(swapped.code, status.INVALID_ARGUMENT);
    const otherId = await failureOf(
      svc.executeMultiOperation({ namespace, operations: [{ startWorkflow: start }, { updateWorkflow: update(`${workflowId}-other`) }] }),
    );
    assert.equal(otherId.code, status.INVALID_ARGUMENT);
    const cron = await failureOf(
      svc.executeMultiOperation({
        namespace,
        operations: [{ startWorkflow: { ...start, cronSchedule: '* * * * *' } }, { updateWorkflow: update(workflowId) }],
      }),
    );
    assert.equal(cron.code, status.INVALID_ARGUMENT);
    await assert.rejects(client.workflow.getHandle(workflowId).describe(), /not found/i, 'nothing was started');
  },
});
