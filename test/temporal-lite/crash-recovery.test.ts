// Durability: SIGKILL a process running temporal-lite (with a data dir) and a worker while
// workflows sleep on timers, run activities and wait for signals, while a workflow task is in
// flight and a signal, a cancellation and an update wait for a worker; restart it and check that
// everything completes correctly, overdue timers fire at once, no signal, cancellation or update
// is lost, finished activities do not rerun and visibility agrees with the histories; an activity
// the in-process worker was running is retried at once, not after its (long) timeouts.
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnProcess, type Spawned } from './helpers/child-process.js';
import { historyTypes, waitFor } from './helpers/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'temporal-lite-crash-'));
const activityLog = join(dir, 'activities.log');
writeFileSync(activityLog, '');

function startHost(lateWorker: boolean): Spawned {
  return spawnProcess(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'crash-host.ts')], {
    CRASH_DATA_DIR: join(dir, 'data'),
    CRASH_ACTIVITY_LOG: activityLog,
    ...(lateWorker && { CRASH_LATE_WORKER: '1' }),
  });
}

async function connect(host: Spawned): Promise<{ client: Client; connection: Connection }> {
  const [, address] = await host.waitForLine(/ready (\S+)\n/, 60_000);
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), connection };
}

const logLines = () => readFileSync(activityLog, 'utf8').split('\n').filter(Boolean);

describe('temporal-lite crash recovery', () => {
  let host: Spawned | undefined;
  after(() => {
    host?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('every workflow completes after SIGKILL and restart', { timeout: 120_000 }, async () => {
    host = startHost(false);
    let { client, connection } = await connect(host);
    const opts = { taskQueue: 'crash', workflowTaskTimeout: '2s' } as const;
    const sleepersStarted = Date.now();
    const sleepers = await Promise.all([0, 1, 2].map((i) => client.workflow.start('sleeper', { ...opts, workflowId: `sleeper-${i}`, args: [2500] })));
    const steppers = await Promise.all([0, 1].map((i) => client.workflow.start('crashSteps', { ...opts, workflowId: `steps-${i}` })));
    const waiters = await Promise.all([0, 1].map((i) => client.workflow.start('signalAndQuery', { ...opts, workflowId: `signals-${i}` })));
    const longStep = await client.workflow.start('crashLongStep', { ...opts, workflowId: 'long-step' });
    for (const w of waiters) await w.signal('unblock', 'before crash');

    // On `crash-late` no worker runs before the crash: the test takes two workflow tasks itself
    // and never answers them; a signal and a cancellation arrive during those tasks, and an
    // update is admitted for a third workflow.
    const late = { taskQueue: 'crash-late', workflowTaskTimeout: '2s' } as const;
    const inFlight = await client.workflow.start('signalAndQuery', { ...late, workflowId: 'late-signals' });
    const cancelled = await client.workflow.start('cancellable', { ...late, workflowId: 'late-cancel' });
    await client.workflow.start('updatable', { ...late, workflowId: 'late-update' });
    const taken = new Set<string>();
    while (taken.size < 2) {
      const task = await client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: 'crash-late' }, identity: 'crash-test' });
      const workflowId = task.workflowExecution?.workflowId;
      assert.ok(workflowId === 'late-signals' || workflowId === 'late-cancel' || workflowId === 'late-update', `task of ${workflowId}`);
      if (workflowId !== 'late-update') taken.add(workflowId);
    }
    await inFlight.signal('unblock', 'during task');
    await cancelled.cancel();
    await client.workflowService.updateWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: 'late-update' },
      waitPolicy: { lifecycleStage: proto.temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED },
      request: { meta: { updateId: 'add-5' }, input: { name: 'add', args: { payloads: [client.options.loadedDataConverter.payloadConverter.toPayload(5)] } } },
    });

    // Crash while the timers are pending, step b is running and the signal waiters wait.
    await waitFor('step b running in both workflows', () => logLines().filter((l) => / b start 1$/.test(l)).length === 2 || undefined, 20_000);
    await waitFor('the long step running', () => logLines().includes('long-step slow start 1') || undefined, 20_000);
    for (const s of sleepers) assert.ok((await historyTypes(s)).includes('TIMER_STARTED'));
    for (const w of waiters) assert.ok((await historyTypes(w)).includes('WORKFLOW_EXECUTION_SIGNALED'));
    host.child.kill('SIGKILL');
    await host.exited;
    await connection.close();
    // Restart only once the sleepers' timers are overdue.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, sleepersStarted + 3500 - Date.now())));

    host = startHost(true);
    ({ client, connection } = await connect(host));
    const ready = Date.now();
    for (const w of waiters) await client.workflow.getHandle(w.workflowId).signal('unblock', 'after restart');
    for (const s of sleepers) assert.ok((await client.workflow.getHandle(s.workflowId).result()) >= 2500);
    for (const s of sleepers) {
      const fired = (await client.workflow.getHandle(s.workflowId).fetchHistory()).events!.find((e) => e.timerFiredEventAttributes)!;
      const firedAt = Number(fired.eventTime!.seconds) * 1000 + Math.floor((fired.eventTime!.nanos ?? 0) / 1e6);
      // Overdue timers fire on recovery, not a timer's length after it.
      assert.ok(firedAt - ready < 2000, `${s.workflowId}'s overdue timer fired ${firedAt - ready} ms after the restart`);
    }
    for (const s of steppers) assert.equal(await client.workflow.getHandle(s.workflowId).result(), 'a+b');
    // Its worker died with the server: the attempt times out at the restart (its heartbeat timeout
    // is 5 minutes) and the retry ends it, within this bound.
    const retried = client.workflow.getHandle(longStep.workflowId).result();
    const bound = new Promise((resolve) => setTimeout(resolve, 20_000, 'still waiting').unref());
    assert.equal(await Promise.race([retried, bound]), 2);
    const started = (await client.workflow.getHandle(longStep.workflowId).fetchHistory()).events!.find((e) => e.activityTaskStartedEventAttributes)!;
    const { attempt, lastFailure } = started.activityTaskStartedEventAttributes!;
    assert.equal(attempt, 2);
    assert.equal(lastFailure?.timeoutFailureInfo?.timeoutType, proto.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
    for (const w of waiters) assert.deepEqual(await client.workflow.getHandle(w.workflowId).result(), ['before crash', 'after restart']);

    // The task in flight at the crash timed out and ran again, with the signal that came during it.
    await client.workflow.getHandle('late-signals').signal('unblock', 'after restart');
    assert.deepEqual(await client.workflow.getHandle('late-signals').result(), ['during task', 'after restart']);
    assert.ok((await historyTypes(client.workflow.getHandle('late-signals'))).includes('WORKFLOW_TASK_TIMED_OUT'));
    const cancelOutcome = await client.workflow
      .getHandle('late-cancel')
      .result()
      .catch((err: unknown) => err);
    assert.ok(cancelOutcome instanceof WorkflowFailedError && cancelOutcome.cause instanceof CancelledFailure, String(cancelOutcome));
    const updateHandle = client.workflow.getHandle('late-update');
    assert.equal(await updateHandle.getUpdateHandle<number>('add-5').result(), 5);
    await updateHandle.signal('done');
    assert.equal(await updateHandle.result(), 5);

    // Visibility agrees with every history.
    const listed = new Map<string, string>();
    for await (const w of client.workflow.list()) listed.set(w.workflowId, w.status.name);
    assert.equal(listed.size, 11);
    for (const [workflowId, statusName] of listed) assert.equal((await client.workflow.getHandle(workflowId).describe()).status.name, statusName, workflowId);
    assert.deepEqual(Object.fromEntries(listed), {
      'sleeper-0': 'COMPLETED',
      'sleeper-1': 'COMPLETED',
      'sleeper-2': 'COMPLETED',
      'steps-0': 'COMPLETED',
      'steps-1': 'COMPLETED',
      'long-step': 'COMPLETED',
      'signals-0': 'COMPLETED',
      'signals-1': 'COMPLETED',
      'late-signals': 'COMPLETED',
      'late-cancel': 'CANCELLED',
      'late-update': 'COMPLETED',
    });

    const lines = logLines();
    for (const s of steppers) {
      assert.equal(lines.filter((l) => l === `${s.workflowId} a done`).length, 1, `step a of ${s.workflowId} ran once: ${lines.join(' | ')}`);
      assert.ok(lines.includes(`${s.workflowId} b done`));
    }
    await connection.close();
    host.child.kill('SIGTERM');
    await host.exited;
    host = undefined;
  });
});
