// @temporalio/testing against the temporal-lite bin (existing-path): time skipping and createLocal.
import { Context } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as activities from './fixtures/activities.js';
import { binPath } from './helpers/bin.js';
import { workflowBundle } from './helpers/bundle.js';
import { quietRuntime } from './helpers/harness.js';

const HOUR_MS = 3600_000;

/** Runs `fn` with a worker on `taskQueue`; the environment-bound activities are defined here, next to `env`. */
async function withWorker<T>(env: TestWorkflowEnvironment, taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const environmentActivities = {
    async sleepInTestEnvironment(ms: number): Promise<number> {
      const before = await env.currentTimeMs();
      await env.sleep(ms);
      return (await env.currentTimeMs()) - before;
    },
    async workForWallTime(ms: number): Promise<number> {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return Context.current().info.attempt;
    },
  };
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...activities, ...environmentActivities },
  });
  return worker.runUntil(fn);
}

describe('temporal-lite as the time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    quietRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: binPath() } } });
  });
  after(async () => {
    await env?.teardown();
  });

  it('a workflow sleeping one day completes: the server’s clock jumps the day instead of waiting it', async () => {
    const aheadBefore = (await env.currentTimeMs()) - Date.now();
    const slept = await withWorker(env, 'ts-sleep', () =>
      env.client.workflow.execute('sleeper', { taskQueue: 'ts-sleep', workflowId: 'sleep-1d', args: [24 * 3600 * 1000] }),
    );
    assert.ok(slept >= 24 * 3600 * 1000, `workflow time advanced by ${slept} ms`);
    const jumped = (await env.currentTimeMs()) - Date.now() - aheadBefore;
    assert.ok(jumped >= 24 * 3600 * 1000 - 1000, `the clock ran ${jumped} ms ahead of wall time, not a day`);
  });

  it('env.sleep advances currentTimeMs and fires due timers', async () => {
    const before = await env.currentTimeMs();
    await env.sleep('2 days');
    const after = await env.currentTimeMs();
    assert.ok(after - before >= 2 * 24 * 3600 * 1000, `advanced ${after - before} ms`);

    await withWorker(env, 'ts-sleep2', async () => {
      const handle = await env.client.workflow.start('sleeper', { taskQueue: 'ts-sleep2', workflowId: 'sleep-1h', args: [3600 * 1000] });
      await env.sleep('61 minutes');
      const d = await handle.describe();
      assert.equal(d.status.name, 'COMPLETED');
    });
  });

  // As on Temporal's Java test server, an activity holds time until it ends, and env.sleep releases
  // one hold: while result() is awaited (its unlock already spent), that is the activity's own.
  it('env.sleep called from inside a running activity returns once the clock has moved its duration', { timeout: 60_000 }, async () => {
    const slept = await withWorker(env, 'ts-activity-sleep', () =>
      env.client.workflow.execute('activitySleepsInTestEnvironment', { taskQueue: 'ts-activity-sleep', workflowId: 'activity-sleeps', args: [3 * HOUR_MS] }),
    );
    assert.ok(slept >= 3 * HOUR_MS, `the clock moved ${slept} ms during the activity's env.sleep`);
  });

  it("a workflow timer fires during an activity's longer env.sleep (TestWorkflowEnvironment.sleep's documented example)", { timeout: 60_000 }, async () => {
    const winner = await withWorker(env, 'ts-race', () =>
      env.client.workflow.execute('timerRacesSleepingActivity', { taskQueue: 'ts-race', workflowId: 'timer-races-activity', args: [HOUR_MS, 2 * HOUR_MS] }),
    );
    assert.equal(winner, 'timer');
  });

  it('a running activity holds the clock while the test sleeps: no timeout, no retry', { timeout: 60_000 }, async () => {
    await withWorker(env, 'ts-held', async () => {
      const handle = await env.client.workflow.start('activityTakesWallTime', { taskQueue: 'ts-held', workflowId: 'activity-holds-time', args: [300] });
      const before = await env.currentTimeMs();
      await env.sleep('10 minutes');
      assert.ok((await env.currentTimeMs()) - before >= 10 * 60_000);
      assert.equal(await handle.result(), 1, 'the first attempt completed: its one-minute start-to-close timeout never fired');
    });
  });

  it('a schedule takes its actions as env.sleep advances the clock: one per interval slept', async () => {
    const handle = await env.client.schedule.create({
      scheduleId: 'ts-hourly',
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'greeting', args: ['hourly'], taskQueue: 'ts-schedule', workflowId: 'ts-hourly-wf' },
    });
    try {
      await withWorker(env, 'ts-schedule', async () => {
        await env.sleep('3 hours');
        const { info } = await handle.describe();
        assert.equal(info.numActionsTaken, 3);
        for (const action of info.recentActions) {
          assert.equal(await env.client.workflow.getHandle(action.action.workflow.workflowId).result(), 'Hello, hourly!');
        }
      });
    } finally {
      await handle.delete();
    }
  });

  it('activity retries run to success under time skipping', async () => {
    const result = await withWorker(env, 'ts-retry', () =>
      env.client.workflow.execute('retries', { taskQueue: 'ts-retry', workflowId: 'ts-retries', args: ['ts-retries'] }),
    );
    assert.equal(result, 3);
  });
});

describe('temporal-lite as the dev server (createLocal)', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    quietRuntime();
    env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: binPath() }, namespace: 'local-ns' } });
  });
  after(async () => {
    await env?.teardown();
  });

  it('runs a workflow with an activity', async () => {
    const result = await (async () => {
      const worker = await Worker.create({
        connection: env.nativeConnection,
        namespace: env.namespace,
        taskQueue: 'local',
        workflowBundle: await workflowBundle(),
        activities,
      });
      return worker.runUntil(() => env.client.workflow.execute('greeting', { taskQueue: 'local', workflowId: 'local-1', args: ['local'] }));
    })();
    assert.equal(result, 'Hello, local!');
    assert.equal(env.supportsTimeSkipping, false);
  });
});
