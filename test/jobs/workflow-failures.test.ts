// The job workflow's failure paths under @temporalio/testing time skipping (temporal-lite bin), with
// stubbed activities (no hub, no store): targets that cannot be resolved (a non-retryable error, and
// retries running out), a batch out of retries (run by the job itself and by a shard), a shard that
// fails (terminated), expiry and cancel; and a batch's progress on its way to the job. Each checks
// the final JobResponse, the response stored as the read model, how the devices left were closed,
// every run against its history bound, and that every history replays.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { Context } from '@temporalio/activity';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { signalBatchProgressWith } from '../../activities/batch-progress.js';
import type { DeviceBatch, JobActivities } from '../../activities/index.js';
import type { WebhookActivities } from '../../activities/webhooks.js';
import { jobsSettings } from '../../src/jobs/settings.js';
import { jobFromVisibility } from '../../src/jobs/visibility.js';
import type { DeviceJobCounts } from '../../src/registry/job-records.js';
import { ensureJobSearchAttributes } from '../../src/temporal/search-attributes.js';
import { cancelJobUpdate, jobResponseQuery } from '../../workflows/job-messages.js';
import { statisticsOf } from '../../workflows/job-response.js';
import type { iotHubJob } from '../../workflows/job.js';
import { JOB_WORKFLOW, type BatchCounts, type JobDefinition, type JobResponse, type JobTuning, type UnprocessedClosing } from '../../workflows/types.js';
import { binPath } from '../temporal-lite/helpers/bin.js';
import { jobsWorkflowBundle } from './helpers/bundle.js';
import { assertWithinHistoryBounds, jobRunHistories, recordHistoryFixtures, replayHistories, type RunHistory } from './helpers/jobs.js';
import { quietTemporalRuntime } from './helpers/workflow-env.js';

const TASK_QUEUE = 'job-failures';
const PAST = '2020-01-01T00:00:00.0000000Z';
const WAIT_MS = 15_000;

/** How the stubbed activities behave for one job; absent parts succeed. */
interface Script {
  devices: number;
  resolveFirst?: () => Promise<{ total: number; complete: boolean }>;
  resolveRest?: () => Promise<number>;
  batch?: (batch: DeviceBatch) => Promise<BatchCounts>;
  /** What closeUnprocessedDevices reports. */
  unprocessed?: number;
  counts: DeviceJobCounts;
}

/** What the stubs saw of one job. */
interface Seen {
  resolveFirst: number;
  resolveRest: number;
  batches: DeviceBatch[];
  closing?: UnprocessedClosing;
  countedRecords: number;
  stored?: JobResponse;
}

const counts = (partial: Partial<DeviceJobCounts>): DeviceJobCounts => ({ pending: 0, running: 0, completed: 0, failed: 0, canceled: 0, ...partial });

/** A gate a stub waits at, opened by the test; `reached` resolves once a stub waits there. */
class Gate {
  private release!: () => void;
  private arrived!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  readonly reached = new Promise<void>((resolve) => (this.arrived = resolve));

  async pass(): Promise<void> {
    this.arrived();
    await this.opened;
  }

  open(): void {
    this.release();
  }
}

/** `promise`, or a failure naming `what` after `waitMs`. */
async function within<T>(promise: Promise<T>, what: string, waitMs = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), waitMs)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const unused = (): never => {
  throw new Error('not a twin job activity');
};

describe('job workflow failure paths (stubbed activities)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  const scripts = new Map<string, Script & { tuning: JobTuning }>();
  const seen = new Map<string, Seen>();
  const runs: RunHistory[] = [];

  const script = (jobId: string) => scripts.get(jobId)!;
  const saw = (jobId: string) => seen.get(jobId)!;
  const activities: JobActivities = {
    async resolveFirstJobTargets({ jobId }) {
      saw(jobId).resolveFirst += 1;
      return (await script(jobId).resolveFirst?.()) ?? { total: script(jobId).devices, complete: true };
    },
    async resolveJobTargets({ jobId }) {
      saw(jobId).resolveRest += 1;
      return (await script(jobId).resolveRest?.()) ?? script(jobId).devices;
    },
    async processDeviceBatch(batch) {
      saw(batch.jobId).batches.push(batch);
      return (await script(batch.jobId).batch?.(batch)) ?? { succeeded: batch.range.to - batch.range.from, failed: 0 };
    },
    processRolloutBatch() {
      return Promise.reject(new Error('these jobs have no rollout settings'));
    },
    async closeUnprocessedDevices(closing) {
      saw(closing.jobId).closing = closing;
      return script(closing.jobId).unprocessed ?? 0;
    },
    async countDeviceJobs(jobId) {
      saw(jobId).countedRecords += 1;
      return script(jobId).counts;
    },
    async recordFinishedJob({ response }) {
      saw(response.jobId).stored = response;
    },
    // Twin jobs never wait for offline devices.
    callWokenDevices: unused,
    lookForConnectedDevices: unused,
    endDeviceWaits: unused,
  };

  const tuningOf = (tuning: Partial<JobTuning>) => jobsSettings({ tuning: { scheduleUpdateTwin: tuning } }).tuning.scheduleUpdateTwin;
  const jobOf = (jobId: string, extra: Partial<JobDefinition> = {}): JobDefinition => ({
    jobId,
    type: 'scheduleUpdateTwin',
    queryCondition: '*',
    createdTime: PAST,
    startTime: PAST,
    maxExecutionTimeInSeconds: 3600,
    operation: { kind: 'twin', update: { tags: { wave: 1 } } },
    updateTwin: { tags: { wave: 1 } },
    ...extra,
  });

  /** Starts the job with its script; returns its handle. */
  const start = (job: JobDefinition, tuning: Partial<JobTuning>, jobScript: Script) => {
    scripts.set(job.jobId, { ...jobScript, tuning: tuningOf(tuning) });
    seen.set(job.jobId, { resolveFirst: 0, resolveRest: 0, batches: [], countedRecords: 0 });
    return env.client.workflow.start<typeof iotHubJob>(JOB_WORKFLOW, {
      workflowId: job.jobId,
      taskQueue: TASK_QUEUE,
      args: [{ job, tuning: tuningOf(tuning) }],
      memo: { job },
    });
  };
  /** Its end, checked against what it stored, with its runs checked against their bounds and kept for replay. */
  const ended = async (jobId: string): Promise<JobResponse> => {
    const done = await within(env.client.workflow.getHandle<typeof iotHubJob>(jobId).result(), `job ${jobId} to end`);
    assert.deepEqual(saw(jobId).stored, done, 'the final JobResponse is stored as the read model');
    const jobRuns = await jobRunHistories(env.client, jobId);
    assertWithinHistoryBounds(jobRuns, jobId, script(jobId).devices, script(jobId).tuning);
    runs.push(...jobRuns);
    return done;
  };
  const assertFailedWith = (done: JobResponse, reason: string) => {
    assert.equal(done.status, 'failed');
    assert.equal(done.failureReason, reason);
    assert.equal(done.statusMessage, done.failureReason);
    assert.ok(done.endTime);
  };
  /** The devices left by a failure fail with its reason. */
  const assertClosedFailing = (jobId: string, description: string) =>
    assert.deepEqual(saw(jobId).closing?.pending, { status: 'failed', error: { code: 'ServerError', description } });

  before(async () => {
    quietTemporalRuntime();
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: binPath() } } });
    await ensureJobSearchAttributes(env.connection, 'default');
    // Publishing job events fails here (no hooks' workflows to reach): the jobs go on without them.
    const publishJobEvent: WebhookActivities['publishJobEvent'] = () => Promise.reject(new Error('Temporal unreachable for the hooks'));
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: TASK_QUEUE,
      workflowBundle: await jobsWorkflowBundle(),
      activities: { ...activities, publishJobEvent },
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('fails when the targets cannot be resolved: a condition the store refuses is not retried', async () => {
    await start(
      jobOf('unresolvable'),
      {},
      {
        devices: 0,
        resolveFirst: () => Promise.reject(ApplicationFailure.nonRetryable("Unknown function 'FOO' in the condition", 'ArgumentInvalid')),
        counts: counts({}),
      },
    );
    const done = await ended('unresolvable');
    const reason = "The devices matching the queryCondition could not be determined: Unknown function 'FOO' in the condition";
    assertFailedWith(done, reason);
    assert.equal(saw('unresolvable').resolveFirst, 1, 'not retried');
    assert.deepEqual(saw('unresolvable').batches, []);
    assertClosedFailing('unresolvable', reason);
    assert.deepEqual(done.deviceJobStatistics, statisticsOf(counts({})));
  });

  it('fails when the targets cannot be resolved: a store error, once the retries ran out', async () => {
    await start(
      jobOf('resolve-retries'),
      {},
      {
        devices: 0,
        resolveFirst: async () => ({ total: 3, complete: false }),
        resolveRest: () => Promise.reject(new Error('database is locked')),
        // The three records resolved before the store failed.
        unprocessed: 3,
        counts: counts({ failed: 3 }),
      },
    );
    const done = await ended('resolve-retries');
    assertFailedWith(done, 'The devices matching the queryCondition could not be determined: database is locked');
    assert.equal(saw('resolve-retries').resolveRest, 5, 'every attempt of its retry policy');
    assert.deepEqual(saw('resolve-retries').batches, []);
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 3, failedCount: 3, succeededCount: 0, runningCount: 0, pendingCount: 0 });
  });

  for (const [where, tuning] of [
    ['run by the job itself', { shardSize: 100, batchSize: 2, batchConcurrency: 1 }],
    ['run by a shard', { shardSize: 2, batchSize: 2, batchConcurrency: 1 }],
  ] as const) {
    it(`fails when a batch ${where} runs out of retries, closing its devices`, async () => {
      const jobId = `batch-retries-${tuning.shardSize}`;
      await start(jobOf(jobId), tuning, {
        devices: 4,
        batch: async ({ range }) => {
          if (range.from === 2) throw new Error('store unavailable');
          return { succeeded: 2, failed: 0 };
        },
        unprocessed: 2,
        counts: counts({ completed: 2, failed: 2 }),
      });
      const done = await ended(jobId);
      const reason = 'Some devices could not be processed: store unavailable';
      assertFailedWith(done, reason);
      const attempts = saw(jobId).batches.filter((batch) => batch.range.from === 2).length;
      assert.equal(attempts, 10, 'every attempt of the batch retry policy');
      assertClosedFailing(jobId, reason);
      assert.deepEqual(done.deviceJobStatistics, { deviceCount: 4, failedCount: 2, succeededCount: 2, runningCount: 0, pendingCount: 0 });
      const shards = runs.filter((run) => run.workflowId.startsWith(`${jobId}/shard-`)).length;
      assert.equal(shards, tuning.shardSize === 2 ? 2 : 0);
    });
  }

  it('fails when a shard fails (terminated by an operator), closing its devices', async () => {
    const gate = new Gate();
    await start(
      jobOf('shard-fails'),
      { shardSize: 2, batchSize: 2, batchConcurrency: 1, shardConcurrency: 2 },
      {
        devices: 4,
        batch: async ({ range }) => {
          if (range.from === 2) await gate.pass();
          return { succeeded: 2, failed: 0 };
        },
        unprocessed: 2,
        counts: counts({ completed: 2, failed: 2 }),
      },
    );
    await within(gate.reached, "shard 1's batch to start");
    await env.client.workflow.getHandle('shard-fails/shard-1').terminate('stopped by an operator');
    gate.open();
    const done = await ended('shard-fails');
    assertFailedWith(done, 'Shard 1 failed: Terminated');
    assertClosedFailing('shard-fails', 'Shard 1 failed: Terminated');
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 4, failedCount: 2, succeededCount: 2, runningCount: 0, pendingCount: 0 });
  });

  it('retries a twin batch whose worker died within its heartbeat timeout, not its 300 s start-to-close timeout', async () => {
    const deadWorker = new Gate();
    await start(
      jobOf('twin-worker-died'),
      { shardSize: 100, batchSize: 2, batchConcurrency: 1 },
      {
        devices: 2,
        // The first attempt's worker is gone: it neither heartbeats nor ends (until the test is done).
        batch: async () => {
          if (Context.current().info.attempt === 1) await deadWorker.pass();
          return { succeeded: 2, failed: 0 };
        },
        counts: counts({ completed: 2 }),
      },
    );
    try {
      await within(deadWorker.reached, 'the first attempt to start');
      // Real time: the test server holds its clock while an activity runs, as Temporal's does.
      const done = await within(env.client.workflow.getHandle<typeof iotHubJob>('twin-worker-died').result(), 'the retry after the heartbeat timeout', 60_000);
      assert.equal(done.status, 'completed');
      assert.equal(saw('twin-worker-died').batches.length, 2, 'retried once');
    } finally {
      deadWorker.open();
    }
  });

  it('fails when maxExecutionTimeInSeconds runs out: dispatching stops and the devices left fail as expired', async () => {
    await start(
      jobOf('expires', { maxExecutionTimeInSeconds: 1 }),
      { batchSize: 1, batchConcurrency: 1 },
      {
        devices: 2,
        // Longer than the job may run.
        batch: () => new Promise((resolve) => setTimeout(() => resolve({ succeeded: 1, failed: 0 }), 1500)),
        unprocessed: 1,
        counts: counts({ completed: 1, failed: 1 }),
      },
    );
    const done = await ended('expires');
    assertFailedWith(done, 'The job did not finish within maxExecutionTimeInSeconds (1): 1 devices were not processed');
    assert.deepEqual(
      saw('expires').batches.map((batch) => batch.range),
      [{ from: 0, to: 1 }],
      'the second batch never went out',
    );
    assert.deepEqual(saw('expires').closing?.pending, {
      status: 'failed',
      error: { code: 'JobExpired', description: "The job's maxExecutionTimeInSeconds (1) ran out before this device was processed" },
    });
  });

  it('cancels while a batch runs: the job shows cancelled at once, the devices left are canceled, a second cancel is turned down', async () => {
    const gate = new Gate();
    const handle = await start(
      jobOf('cancelled'),
      { batchSize: 1, batchConcurrency: 1 },
      {
        devices: 2,
        batch: async () => {
          await gate.pass();
          return { succeeded: 1, failed: 0 };
        },
        unprocessed: 1,
        counts: counts({ completed: 1, canceled: 1 }),
      },
    );
    await within(gate.reached, 'the first batch to start');
    const cancelled = await handle.executeUpdate(cancelJobUpdate);
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual(await handle.query(jobResponseQuery), cancelled, 'the query shows what the update answered');
    await assert.rejects(handle.executeUpdate(cancelJobUpdate), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
      assert.ok(err.cause instanceof ApplicationFailure && err.cause.type === 'NothingToCancel', String(err.cause));
      return true;
    });
    gate.open();
    const done = await ended('cancelled');
    assert.equal(done.status, 'cancelled');
    assert.equal(done.statusMessage, 'Cancelled: the devices not called yet were canceled');
    assert.equal(done.failureReason, undefined);
    assert.equal(saw('cancelled').batches.length, 1, 'no batch after the cancel');
    assert.deepEqual(saw('cancelled').closing?.pending, { status: 'canceled' });
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 2, failedCount: 1, succeededCount: 1, runningCount: 0, pendingCount: 0 });
  });

  it("shows a batch's progress as it comes, through its shard to the job: in the query and in the memo lists read", async () => {
    const gate = new Gate();
    const signal = signalBatchProgressWith(env.client);
    const handle = await start(
      jobOf('progress'),
      { shardSize: 2, batchSize: 2, shardConcurrency: 1, progressIntervalMs: 0 },
      {
        devices: 4,
        batch: async ({ range }) => {
          if (range.from === 0) {
            // As a method batch does once an outcome is written: to the workflow running the batch.
            await signal(Context.current().info.workflowExecution!.workflowId, { batch: 0, succeeded: 1, failed: 0 });
            await gate.pass();
          }
          return { succeeded: 2, failed: 0 };
        },
        counts: counts({ completed: 4 }),
      },
    );
    await within(gate.reached, 'the first batch to tell its progress');
    const expected = { deviceCount: 4, failedCount: 0, succeededCount: 1, runningCount: 1, pendingCount: 2 };
    let shown = await handle.query(jobResponseQuery);
    for (const deadline = Date.now() + WAIT_MS; !isDeepStrictEqual(shown.deviceJobStatistics, expected) && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      shown = await handle.query(jobResponseQuery);
    }
    assert.deepEqual(shown.deviceJobStatistics, expected);
    assert.deepEqual(jobFromVisibility(await handle.describe()), shown, 'the memo shows what the query does');
    gate.open();
    assert.equal((await ended('progress')).status, 'completed');
  });

  it('completes a job that failed nowhere without closing anything', async () => {
    await start(jobOf('clean'), { shardSize: 2, batchSize: 1 }, { devices: 4, counts: counts({ completed: 4 }) });
    const done = await ended('clean');
    assert.equal(done.status, 'completed');
    assert.equal(saw('clean').closing, undefined, 'every record is final: nothing to close');
    assert.equal(saw('clean').countedRecords, 1);
    assert.deepEqual(done.deviceJobStatistics, { deviceCount: 4, failedCount: 0, succeededCount: 4, runningCount: 0, pendingCount: 0 });
  });

  it('replays every history it produced', async () => {
    await replayHistories(runs);
    recordHistoryFixtures('failure-paths', runs);
  });
});
