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
 * Resolves the job's queryCondition once into device records 0…N-1, a chunk per transaction with a
 * heartbeat between; a retried attempt continues from what the store already holds. Returns N.
 * A condition the store cannot evaluate is not retried (it would fail the same way).
 */
export function resolveActivity({ store }: Pick<JobActivityDeps, 'store'>) {
  return async function resolveJobTargets(input: ResolveInput): Promise<number> {
    const { chunk, ...job } = input;
    try {
      for (;;) {
        const { added, total } = await store.snapshotJobDevices(job, chunk);
        heartbeat(total);
        if (added < chunk) return total;
      }
    } catch (err) {
      if (isHubError(err) && err.httpStatus < 500) throw ApplicationFailure.create({ type: err.code, message: err.message, nonRetryable: true });
      throw err;
    }
  };
}
