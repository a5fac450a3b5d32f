// The console's shared poll: however many pages watch a job, the hub reads it once per interval;
// changes reach every viewer, an ended job is read no more, and the last viewer leaving stops it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { JobWatcher, type JobListener } from '../../src/console/job-watcher.js';
import { HubError } from '../../src/errors/hub-error.js';
import type { JobResponse, JobStatus } from '../../workflows/types.js';

const job = (status: JobStatus, succeededCount: number): JobResponse => ({
  jobId: 'j1',
  queryCondition: '*',
  createdTime: '2026-01-01T00:00:00Z',
  startTime: '2026-01-01T00:00:00Z',
  maxExecutionTimeInSeconds: 3600,
  type: 'scheduleDeviceMethod',
  status,
  deviceJobStatistics: { deviceCount: 10, succeededCount, failedCount: 0, runningCount: 0, pendingCount: 10 - succeededCount },
});

function recorder(): JobListener & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    job: (update) => seen.push(`${update.status}:${update.deviceJobStatistics?.succeededCount}`),
    error: (_id, error) => seen.push(`error:${error.code}`),
  };
}

/** Lets the poll's awaited read settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('JobWatcher', () => {
  let states: JobResponse[];
  let reads: number;
  let watcher: JobWatcher;

  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout'] });
    reads = 0;
    states = [];
    watcher = new JobWatcher(async () => {
      reads++;
      return states.length > 1 ? states.shift()! : states[0]!;
    }, 1000);
  });
  afterEach(() => {
    watcher.close();
    mock.timers.reset();
  });

  it('reads a job once per interval for all its viewers, and tells each of them every change', async () => {
    states = [job('running', 1), job('running', 1), job('running', 4), job('completed', 10)];
    const pages = Array.from({ length: 5 }, recorder);
    const leaves = pages.map((page) => watcher.subscribe('j1', page));
    await settle();
    assert.equal(reads, 1);
    for (let tick = 0; tick < 3; tick++) {
      mock.timers.tick(1000);
      await settle();
    }
    assert.equal(reads, 4);
    for (const page of pages) assert.deepEqual(page.seen, ['running:1', 'running:4', 'completed:10']);
    // Ended: read no more, and a late viewer gets the final state at once.
    mock.timers.tick(5000);
    await settle();
    assert.equal(reads, 4);
    assert.equal(watcher.activePolls, 0);
    const late = recorder();
    watcher.subscribe('j1', late);
    assert.deepEqual(late.seen, ['completed:10']);
    for (const leave of leaves) leave();
  });

  it('stops reading when the last viewer leaves, and starts afresh for the next', async () => {
    states = [job('running', 2)];
    const first = watcher.subscribe('j1', recorder());
    const second = watcher.subscribe('j1', recorder());
    await settle();
    first();
    mock.timers.tick(1000);
    await settle();
    assert.equal(reads, 2);
    second();
    mock.timers.tick(5000);
    await settle();
    assert.equal(reads, 2);
    assert.equal(watcher.activePolls, 0);
    const again = recorder();
    watcher.subscribe('j1', again);
    await settle();
    assert.equal(reads, 3);
    assert.deepEqual(again.seen, ['running:2']);
  });

  it('tells viewers of a job that does not exist, and does not read it again', async () => {
    const missing = new JobWatcher(async () => {
      reads++;
      throw new HubError('JobNotFound', "Job 'nope' was not found");
    }, 1000);
    const page = recorder();
    missing.subscribe('nope', page);
    await settle();
    mock.timers.tick(5000);
    await settle();
    assert.equal(reads, 1);
    assert.deepEqual(page.seen, ['error:JobNotFound']);
    const late = recorder();
    missing.subscribe('nope', late);
    assert.deepEqual(late.seen, ['error:JobNotFound']);
    missing.close();
  });
});
