// A 10,000-device twin job with small shards under time skipping: sharding, continue-as-new,
// statistics that always add up (also while running), and every run's history within the bounds
// of workflows/history-bounds.ts (which keep a 1,000,000-device job (with rollout settings or not) under 10,000 events).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { DEFAULT_JOBS_SETTINGS } from '../../src/jobs/settings.js';
import { jobHistoryBound } from '../../workflows/history-bounds.js';
import { planShards } from '../../workflows/sharding.js';
import type { JobResponse, JobTuning } from '../../workflows/types.js';
import {
  assertStatisticsConsistent,
  assertWithinHistoryBounds,
  jobRunHistories,
  mostAtOnce,
  ACTIVITY_CLOSED,
  recordHistoryFixtures,
  replayHistories,
  type RunHistory,
} from './helpers/jobs.js';
import { jobRecords } from './helpers/records.js';
import { startJobsTestEngine, type JobsTestEngine } from './helpers/workflow-env.js';

const { EventType } = proto.temporal.api.enums.v1;

const DEVICES = 10_000;
const TUNING: Partial<JobTuning> = {
  shardSize: 500,
  maxShards: 20,
  batchSize: 50,
  batchConcurrency: 2,
  shardConcurrency: 4,
  progressUpdates: 4,
  // Small, so that every shard continues as new at least once.
  shardHistoryLimit: 40,
};

describe('a 10,000-device job with small shards', () => {
  let engine: JobsTestEngine;
  let runs: RunHistory[];
  let done: JobResponse;
  const seen: JobResponse[] = [];
  const tuning = { ...DEFAULT_JOBS_SETTINGS.tuning.scheduleUpdateTwin, ...TUNING };

  before(async () => {
    engine = await startJobsTestEngine({ tuning: { scheduleUpdateTwin: TUNING } });
    const store = engine.hub.hub.store;
    for (let i = 0; i < DEVICES; i++) await store.createDevice({ deviceId: `scale-${String(i).padStart(5, '0')}` });
    await engine.createJob('scale', {
      type: 'scheduleUpdateTwin',
      queryCondition: "STARTSWITH(deviceId, 'scale-')",
      updateTwin: { etag: '*', tags: { fw: 'v2' }, properties: { desired: { interval: 10 } } },
    });
    const handle = engine.env.client.workflow.getHandle('scale');
    const result = handle.result() as Promise<JobResponse>;
    let finished = false;
    void result.finally(() => (finished = true));
    while (!finished) {
      seen.push(await engine.service.get('scale'));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    done = await result;
    runs = await jobRunHistories(engine.env.client, 'scale');
  });
  after(() => engine?.dispose());

  it('completes with every device updated once', async () => {
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: DEVICES, failedCount: 0, succeededCount: DEVICES, runningCount: 0, pendingCount: 0 });
    const records = await jobRecords(engine.hub.hub.store, 'scale');
    assert.equal(records.size, DEVICES);
    assert.ok([...records.values()].every((r) => r.status === 'completed'));
    for (const deviceId of ['scale-00000', 'scale-04999', 'scale-09999']) {
      const twin = (await engine.hub.hub.store.getTwin(deviceId))!;
      assert.equal(twin.tags.fw, 'v2');
      assert.equal(twin.properties.desired.interval, 10);
      assert.equal(twin.properties.desired.$version, 2, 'applied exactly once');
    }
  });

  it('showed progress while running, with statistics always adding up', () => {
    const running = seen.filter((job) => job.status === 'running' && job.deviceJobStatistics);
    for (const job of seen) assertStatisticsConsistent(job);
    assert.ok(
      running.some((job) => job.deviceJobStatistics!.succeededCount > 0 && job.deviceJobStatistics!.succeededCount < DEVICES),
      `no intermediate progress among ${running.length} running observations`,
    );
  });

  it('ran the planned shards, continuing them as new', () => {
    const shardIds = new Set(runs.filter((run) => run.workflowId !== 'scale').map((run) => run.workflowId));
    assert.deepEqual(
      [...shardIds].sort(),
      planShards(DEVICES, tuning)
        .map((shard) => `scale/shard-${shard.index}`)
        .sort(),
    );
    assert.equal(shardIds.size, 20);
    assert.ok(runs.length - 1 > shardIds.size, `${runs.length - 1} shard runs for ${shardIds.size} shards: none continued as new`);
  });

  it('ran at most shardConcurrency shards and, in each shard, batchConcurrency batches at once', () => {
    const parent = runs.find((run) => run.workflowId === 'scale')!;
    const shards = mostAtOnce(parent, [EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED], CHILD_CLOSED);
    assert.equal(shards, tuning.shardConcurrency, `${shards} shards at once`);
    const batches = Math.max(
      ...runs.filter((run) => run !== parent).map((run) => mostAtOnce(run, [EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED], ACTIVITY_CLOSED)),
    );
    assert.equal(batches, tuning.batchConcurrency, `${batches} batches at once in a shard run`);
  });

  it('kept every run within the history bounds, which keep a 1,000,000-device job (with rollout settings or not) under 10,000 events', () => {
    assertWithinHistoryBounds(runs, 'scale', DEVICES, tuning);
    for (const defaults of Object.values(DEFAULT_JOBS_SETTINGS.tuning)) {
      const bound = jobHistoryBound(1_000_000, defaults);
      assert.ok(bound < 10_000, `a 1,000,000-device job may reach ${bound} events`);
      const rollout = jobHistoryBound(1_000_000, defaults, true);
      assert.ok(rollout < 10_000, `a 1,000,000-device rollout job may reach ${rollout} events`);
      const waiting = jobHistoryBound(1_000_000, defaults, true, true);
      assert.ok(waiting < 10_000, `a 1,000,000-device rollout job waiting for offline devices may reach ${waiting} events`);
    }
  });

  it('replays every run', async () => {
    await replayHistories(runs);
    const parent = runs.find((run) => run.workflowId === 'scale')!;
    const shardRuns = runs.filter((run) => run.workflowId === 'scale/shard-0');
    recordHistoryFixtures('twin-job', [parent, ...shardRuns]);
  });
});

const CHILD_CLOSED = [
  EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
];
