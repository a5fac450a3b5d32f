// Schedules live in temporal-lite's SQLite file: after a restart a schedule is as it was (spec,
// state, counters, conflict token, the workflow it follows), still follows that workflow, and
// starts the spec times it missed while the server was down within its catch-up window (older
// ones are counted as missed).
import { ScheduleOverlapPolicy, type ScheduleDescription, type ScheduleHandle } from '@temporalio/client';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { startEnv, waitFor, type Env } from './helpers/harness.js';

const dataDir = mkdtempSync(join(tmpdir(), 'temporal-lite-schedules-'));

async function describedWhen(handle: ScheduleHandle, what: string, ready: (d: ScheduleDescription) => boolean): Promise<ScheduleDescription> {
  return waitFor(what, async () => {
    const description = await handle.describe();
    return ready(description) ? description : undefined;
  });
}

/** What must survive a restart unchanged. */
const durablePart = (d: ScheduleDescription) => ({
  spec: d.spec,
  action: d.action,
  memo: d.memo,
  policies: d.policies,
  state: d.state,
  createdAt: d.info.createdAt,
  numActionsTaken: d.info.numActionsTaken,
  runningActions: d.info.runningActions,
  recentActions: d.info.recentActions,
  conflictToken: d.raw.conflictToken,
});

describe('temporal-lite schedules across restarts', () => {
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a schedule, its counters and the workflow it follows survive a restart; missed times are caught up', { timeout: 60_000 }, async () => {
    let env: Env = await startEnv({ dataDir });
    try {
      const kept = await env.client.schedule.create({
        scheduleId: 'kept',
        spec: { calendars: [{ hour: 4, minute: 15 }], timezone: 'Europe/Paris' },
        action: { type: 'startWorkflow', workflowType: 'runForever', taskQueue: 'durable-schedules', workflowId: 'kept-wf' },
        memo: { purpose: 'restart' },
        policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: '2 minutes' },
        state: { paused: true, note: 'held', remainingActions: 5 },
      });
      await kept.trigger(ScheduleOverlapPolicy.SKIP);
      const before = await describedWhen(kept, 'the triggered workflow running', (d) => d.info.runningActions.length === 1);
      await env.close();

      env = await startEnv({ dataDir });
      const restarted = env.client.schedule.getHandle('kept');
      assert.deepEqual(durablePart(await restarted.describe()), durablePart(before));
      const [running] = before.info.runningActions;
      await env.client.workflow.getHandle(running.workflow.workflowId, running.workflow.firstExecutionRunId).terminate('after the restart');
      const closed = await describedWhen(restarted, 'the closed workflow no longer running', (d) => d.info.runningActions.length === 0);
      assert.equal(closed.info.recentActions[0].action.workflow.workflowId, running.workflow.workflowId);

      await env.client.schedule.create({
        scheduleId: 'every-second',
        spec: { intervals: [{ every: '1 second' }] },
        action: { type: 'startWorkflow', workflowType: 'greeting', args: ['x'], taskQueue: 'durable-schedules', workflowId: 'every-second-wf' },
        // Temporal's shortest catch-up window.
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '10 seconds' },
      });
      await env.close();
      const downAt = Date.now();
      // Spec times pass while the server is down, the first ones more than the catch-up window ago.
      await delay(12_000);
      env = await startEnv({ dataDir });
      const upAt = Date.now();
      const caughtUp = await describedWhen(env.client.schedule.getHandle('every-second'), 'a missed time started after the restart', (d) =>
        d.info.recentActions.some((action) => action.scheduledAt.getTime() > downAt && action.scheduledAt.getTime() < upAt),
      );
      assert.ok(caughtUp.info.numActionsMissedCatchupWindow >= 1, `${caughtUp.info.numActionsMissedCatchupWindow} times missed the catch-up window`);
      for (const action of caughtUp.info.recentActions) {
        const scheduled = action.scheduledAt.getTime();
        if (scheduled > downAt && scheduled < upAt)
          assert.ok(upAt - scheduled <= 11_000, `${action.scheduledAt.toISOString()} is older than the catch-up window`);
      }
    } finally {
      await env.close();
    }
  });
});
