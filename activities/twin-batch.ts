import { heartbeat } from '@temporalio/activity';
import type { SeqRange } from '../src/registry/job-records.js';
import type { TwinServiceUpdate } from '../src/registry/model.js';
import { finishedCounts } from '../workflows/job-response.js';
import type { BatchCounts } from '../workflows/types.js';
import type { JobActivityDeps } from './deps.js';

/** How often a twin batch heartbeats while its transaction runs. */
const HEARTBEAT_INTERVAL_MS = 1000;

/**
 * A twin job's batch: the forced update of every pending device's twin and its record in one
 * transaction (so a retry never applies it twice: a crash before the commit leaves the records
 * pending and the twins untouched, after it leaves nothing pending), then the desired-property
 * notifications for connected devices, after the commit. It heartbeats throughout, so a batch whose
 * worker died is retried within the heartbeat timeout.
 */
export function twinBatchActivity({ store, events, now, metrics }: Pick<JobActivityDeps, 'store' | 'events' | 'now' | 'metrics'>) {
  return async function processTwinBatch(jobId: string, range: SeqRange, update: TwinServiceUpdate): Promise<BatchCounts> {
    heartbeat();
    const ticker = setInterval(() => heartbeat(), HEARTBEAT_INTERVAL_MS);
    try {
      const { desiredChanges, succeeded, failed } = await store.applyTwinJobBatch(jobId, range, update, now());
      // The records this attempt wrote (a retry after the commit writes none: nothing is counted twice).
      metrics?.devicesProcessed.inc({ type: 'scheduleUpdateTwin', outcome: 'completed' }, succeeded);
      metrics?.devicesProcessed.inc({ type: 'scheduleUpdateTwin', outcome: 'failed' }, failed);
      await Promise.all(desiredChanges.map((change) => events.onDesiredChange(change)));
      return finishedCounts(await store.countDeviceJobs(jobId, range));
    } finally {
      clearInterval(ticker);
    }
  };
}
