import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { isHubError } from '../src/errors/hub-error.js';
import type { JobSnapshotRequest } from '../src/registry/job-records.js';
import type { JobActivityDeps } from './deps.js';

export interface ResolveInput extends JobSnapshotRequest {
  /** Devices per transaction. */
  chunk: number;
}

/**
 * Resolving the job's queryCondition once into device records 0…N-1, a chunk per transaction; a
 * later call continues from what the store already holds. A condition the store cannot evaluate is
 * not retried (it would fail the same way).
 */
export function resolveActivities({ store, log, metrics }: Pick<JobActivityDeps, 'store' | 'log' | 'metrics'>) {
  const snapshotChunk = async ({ chunk, ...job }: ResolveInput) => {
    try {
      const { added, total } = await store.snapshotJobDevices(job, chunk);
      // The chunk that began the snapshot: the job starts (a retry of it adds nothing, so is not counted).
      if (added === total) {
        metrics?.jobsStarted.inc({ type: job.jobType });
        log.info({ jobId: job.jobId, type: job.jobType }, 'Job started');
      }
      return { total, complete: added < chunk };
    } catch (err) {
      if (isHubError(err) && err.httpStatus < 500) throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true });
      throw err;
    }
  };
  return {
    /** One chunk (a local activity: short); `complete` when the condition matched no more devices. */
    resolveFirstJobTargets: snapshotChunk,
    /** Every chunk left, with a heartbeat between; returns N. */
    async resolveJobTargets(input: ResolveInput): Promise<number> {
      for (;;) {
        const { total, complete } = await snapshotChunk(input);
        heartbeat(total);
        if (complete) return total;
      }
    },
  };
}
