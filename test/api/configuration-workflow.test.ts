// The configuration workflow under @temporalio/testing time skipping, with a stubbed evaluation
// activity: periodic re-evaluation, debounced twin-change signals, the end on deletion, bounded
// history through continue-as-new, and replay of its histories.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { Evaluation } from '../../activities/configuration.js';
import { JOBS_TASK_QUEUE } from '../../src/temporal/worker.js';
import { configurationWorkflowId, twinsChangedSignal, type deviceConfiguration } from '../../workflows/configuration.js';
import { eventually } from '../helpers/gateway-hub.js';
import { jobsWorkflowBundle } from '../jobs/helpers/bundle.js';
import { jobRunHistories, replayHistories } from '../jobs/helpers/jobs.js';
import { quietTemporalRuntime } from '../jobs/helpers/workflow-env.js';
import { binPath } from '../temporal-lite/helpers/bin.js';

describe('the configuration workflow', () => {
  let env: TestWorkflowEnvironment;
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
  /** Evaluations per configuration id; ids listed in `deleted` report the configuration gone. */
  const evaluations = new Map<string, number>();
  const deleted = new Set<string>();

  const start = (configurationId: string, timing: { reevaluateEveryMs: number; debounceMs: number; historyLimit?: number }) =>
    env.client.workflow.start<typeof deviceConfiguration>('deviceConfiguration', {
      workflowId: configurationWorkflowId(configurationId),
      taskQueue: JOBS_TASK_QUEUE,
      args: [{ configurationId, ...timing }],
    });

  before(async () => {
    quietTemporalRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: binPath() } } });
    const activities = {
      async evaluateConfiguration(configurationId: string): Promise<Evaluation> {
        evaluations.set(configurationId, (evaluations.get(configurationId) ?? 0) + 1);
        return { exists: !deleted.has(configurationId), targeted: 0, applied: 0 };
      },
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: JOBS_TASK_QUEUE,
      workflowBundle: await jobsWorkflowBundle(),
      activities,
    });
    workers.push({ worker, running: worker.run() });
  });
  after(async () => {
    for (const { worker } of workers) worker.shutdown();
    await Promise.all(workers.map(({ running }) => running));
    await env?.teardown();
  });

  it('evaluates at start and then on its timer, and ends once the configuration is gone', async () => {
    const handle = await start('periodic', { reevaluateEveryMs: 5 * 60_000, debounceMs: 1_000 });
    await eventually(() => evaluations.get('periodic') === 1, 'the first evaluation');
    await env.sleep(16 * 60_000); // three timer periods
    assert.equal(evaluations.get('periodic'), 4);
    deleted.add('periodic');
    await env.sleep(5 * 60_000);
    await handle.result();
    assert.equal(evaluations.get('periodic'), 5);
  });

  it('coalesces a burst of twin-change signals into one evaluation', async () => {
    const handle = await start('burst', { reevaluateEveryMs: 24 * 3600_000, debounceMs: 2_000 });
    await eventually(() => evaluations.get('burst') === 1, 'the first evaluation');
    await Promise.all(Array.from({ length: 10 }, () => handle.signal(twinsChangedSignal)));
    await env.sleep(10_000);
    await eventually(() => evaluations.get('burst') === 2, 'one more evaluation');
    await env.sleep(10_000);
    assert.equal(evaluations.get('burst'), 2, 'one evaluation for the burst');
    deleted.add('burst');
    await handle.signal(twinsChangedSignal);
    await handle.result();
  });

  it('continues as new before its history grows past the bound, and its histories replay', async () => {
    const handle = await start('long', { reevaluateEveryMs: 1_000, debounceMs: 0, historyLimit: 100 });
    await eventually(
      async () => {
        await env.sleep(5_000);
        return (await jobRunHistories(env.client, configurationWorkflowId('long'))).length >= 3;
      },
      'two continued runs',
      60_000,
    );
    deleted.add('long');
    await handle.result();
    const runs = await jobRunHistories(env.client, configurationWorkflowId('long'));
    assert.ok(runs.length >= 2);
    // The limit is checked before each evaluation, which adds at most a timer, an activity and the end.
    for (const run of runs) assert.ok(run.history.events!.length <= 100 + 12, `${run.history.events!.length} events in one run`);
    await replayHistories(runs);
  });
});
