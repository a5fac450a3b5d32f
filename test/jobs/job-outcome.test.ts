// How a job ends, in words (workflows/job-outcome.ts), and its statistics while shards report
// (workflows/job-progress.ts): pure logic, no Temporal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closingOf, failureReasonOf, outcomeOf, statusOf, type JobFailure } from '../../workflows/job-outcome.js';
import { ShardsProgress } from '../../workflows/job-progress.js';
import { statisticsOf } from '../../workflows/job-response.js';
import type { JobDefinition } from '../../workflows/types.js';

const job: JobDefinition = {
  jobId: 'j',
  type: 'scheduleUpdateTwin',
  queryCondition: '*',
  createdTime: '2024-01-01T00:00:00.0000000Z',
  startTime: '2024-01-01T00:00:00.0000000Z',
  maxExecutionTimeInSeconds: 60,
  operation: { kind: 'twin', update: { tags: { a: 1 } } },
};
const AT = '2024-01-01T00:01:00.0000000Z';
const batches: JobFailure = { reason: 'batchesFailed', detail: 'store unavailable' };

describe('job outcome', () => {
  it('lets a cancel win, counts an expiry only when it left devices, then a failure', () => {
    assert.deepEqual(outcomeOf('cancelled', batches, 3), { kind: 'cancelled' });
    assert.deepEqual(outcomeOf('expired', batches, 3), { kind: 'expired', unprocessed: 3 });
    assert.deepEqual(outcomeOf('expired', undefined, 0), { kind: 'completed' }, 'the deadline passed as the last device finished');
    assert.deepEqual(outcomeOf('expired', batches, 0), { kind: 'failed', ...batches });
    assert.deepEqual(outcomeOf(undefined, batches, 2), { kind: 'failed', ...batches });
    assert.deepEqual(outcomeOf(undefined, undefined, 0), { kind: 'completed' });
  });

  it('words each failure, and an expiry, in one place', () => {
    const reason = (failure: JobFailure) => failureReasonOf({ kind: 'failed', ...failure }, job);
    assert.equal(reason({ reason: 'unresolvable', detail: 'bad' }), 'The devices matching the queryCondition could not be determined: bad');
    assert.equal(reason(batches), 'Some devices could not be processed: store unavailable');
    assert.equal(reason({ reason: 'shardFailed', shard: 3, detail: 'Terminated' }), 'Shard 3 failed: Terminated');
    assert.equal(
      failureReasonOf({ kind: 'expired', unprocessed: 7 }, job),
      'The job did not finish within maxExecutionTimeInSeconds (60): 7 devices were not processed',
    );
    assert.equal(failureReasonOf({ kind: 'completed' }, job), undefined);
    assert.equal(statusOf({ kind: 'expired', unprocessed: 1 }), 'failed');
    assert.equal(statusOf({ kind: 'cancelled' }), 'cancelled');
  });

  it('closes the devices left: canceled on cancel, expired, failed with the reason, and none after a clean run', () => {
    assert.deepEqual(closingOf(job, 'cancelled', batches, AT)?.pending, { status: 'canceled' });
    assert.deepEqual(closingOf(job, 'expired', undefined, AT)?.pending, {
      status: 'failed',
      error: { code: 'JobExpired', description: "The job's maxExecutionTimeInSeconds (60) ran out before this device was processed" },
    });
    assert.deepEqual(closingOf(job, undefined, batches, AT), {
      jobId: 'j',
      pending: { status: 'failed', error: { code: 'ServerError', description: 'Some devices could not be processed: store unavailable' } },
      at: AT,
    });
    assert.equal(closingOf(job, undefined, undefined, AT), undefined);
  });
});

describe('job statistics', () => {
  it('counts canceled devices as failed', () => {
    assert.deepEqual(statisticsOf({ pending: 1, running: 2, completed: 3, failed: 4, canceled: 5 }), {
      deviceCount: 15,
      failedCount: 9,
      succeededCount: 3,
      runningCount: 2,
      pendingCount: 1,
    });
  });

  it('sums running and ended shards, always adding up to the device count', () => {
    const progress = new ShardsProgress();
    progress.update({ shard: 0, succeeded: 3, failed: 1, running: 4 });
    progress.update({ shard: 1, succeeded: 2, failed: 0, running: 4 });
    assert.deepEqual(progress.statistics(20), { deviceCount: 20, failedCount: 1, succeededCount: 5, runningCount: 8, pendingCount: 6 });
    progress.end(0, { succeeded: 9, failed: 1 });
    progress.update({ shard: 0, succeeded: 1, failed: 0, running: 0 }); // late: the shard has ended
    assert.deepEqual(progress.statistics(20), { deviceCount: 20, failedCount: 1, succeededCount: 11, runningCount: 4, pendingCount: 4 });
    // Reports that overshoot (in flight counted twice while a batch ends) are capped by what is left.
    progress.update({ shard: 1, succeeded: 8, failed: 2, running: 6 });
    assert.deepEqual(progress.statistics(20), { deviceCount: 20, failedCount: 3, succeededCount: 17, runningCount: 0, pendingCount: 0 });
  });
});
