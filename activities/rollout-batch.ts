import { heartbeat } from '@temporalio/activity';
import type { MethodResult } from '../src/gateway/methods/invoker.js';
import { OUTCOME_UNKNOWN } from '../src/registry/job-records.js';
import {
  failureKindOfAnswer,
  type ClaimedDevice,
  type FailureKind,
  type RolloutBatchCounts,
  type RolloutClaim,
  type RolloutOutcome,
} from '../src/registry/rollout-records.js';
import { formatHubTime } from '../workflows/hub-time.js';
import { backoffSeconds, retriesFor } from '../workflows/retry-policy.js';
import type { JobMethodCall, RolloutBatch, RolloutBatchResult } from '../workflows/types.js';
import type { JobActivityDeps } from './deps.js';
import { LaneClaims, parkOfflineDevices, unreachableDevice } from './device-calls.js';
import { deviceWaitOf } from './method-batch.js';

/** Outcomes are written (and the attempt heartbeats) this often while devices answer. */
const FLUSH_INTERVAL_MS = 1000;

/** How an attempt failed, if it did: offline (DeviceNotOnline), timedOut (GatewayTimeout), errorStatus (an answer outside 200–299). */
export const failureKindOf = (result: MethodResult): FailureKind | undefined => failureKindOfAnswer(result);

/**
 * A rollout job's batch (method jobs): claims its devices under the batch's token (a seq range, or
 * the retries due), calls them deviceConcurrency at a time, and ends each attempt: final, or, when
 * the job's retry criteria allow another attempt for that failure, back in the retry queue with its
 * backoff (counted on the workflow's clock from when the batch was dispatched, so that time-skipping
 * tests and production alike wait exactly the backoff). Returns the batch's devices as they are now
 * and the job's retry queue.
 */
export function rolloutBatchActivity(deps: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log' | 'wakeOfflineWait'>) {
  const { store, invoker, now, log } = deps;
  const park = parkOfflineDevices(deps);
  return async function processRolloutBatch(batch: RolloutBatch, call: JobMethodCall): Promise<RolloutBatchResult> {
    const { jobId, token, retry } = batch;
    const startedAt = Date.now();
    const workflowNow = () => batch.dispatchedAt + (Date.now() - startedAt);
    const claim: RolloutClaim =
      'range' in batch.devices
        ? { token, range: batch.devices.range }
        : { token, dueBefore: formatHubTime(new Date(batch.devices.dueBefore)), limit: batch.devices.limit };
    // Devices are claimed as they are called, so the token's running ones were being called when an earlier attempt died.
    const interrupted = await store.runningRolloutDevices(jobId, token);
    const unwritten: RolloutOutcome[] = interrupted.map((deviceId) => ({ deviceId, status: 'failed', error: OUTCOME_UNKNOWN, failure: 'other' }));
    // Offline devices of a job that waits for them (device-calls.ts).
    const wait = deviceWaitOf(batch.waitForDeviceUntil, now);
    const offline: string[] = [];
    let parked = 0;
    let writing: Promise<unknown> = Promise.resolve();
    const flush = () => {
      const outcomes = unwritten.splice(0);
      const parking = offline.splice(0);
      parked += parking.length;
      if (outcomes.length > 0) writing = writing.then(() => store.finishRolloutDevices(jobId, outcomes, now()));
      if (parking.length > 0 && wait) writing = writing.then(() => park(jobId, parking, wait));
      return writing;
    };
    const end = (deviceId: string, attempt: number, result: MethodResult): RolloutOutcome => {
      const failure = failureKindOf(result);
      const base: RolloutOutcome =
        result.kind === 'response'
          ? { deviceId, status: 'completed', methodResponse: { status: result.status, payload: result.payload }, ...(failure && { failure }) }
          : { deviceId, status: 'failed', error: { code: result.code, description: result.message }, ...(failure && { failure }) };
      if (!failure || !retry || attempt > retriesFor(retry, failure)) return base;
      return { ...base, retryAt: formatHubTime(new Date(workflowNow() + backoffSeconds(retry.backoff, attempt) * 1000)) };
    };

    let claimedCount = 0;
    const lanes = Math.max(1, Math.min(batch.deviceConcurrency, batchSizeOf(batch)));
    const claims = new LaneClaims<ClaimedDevice>(async (count) => {
      const claimed = await store.claimRolloutDevices(jobId, claim, count, now());
      claimedCount += claimed.length;
      return claimed;
    }, lanes);
    const lane = async () => {
      for (let device = await claims.next(); device !== undefined; device = await claims.next()) {
        const { deviceId, attempt } = device;
        try {
          const result = await invoker.invoke(deviceId, call);
          if (wait && failureKindOf(result) === 'offline') offline.push(deviceId);
          else unwritten.push(end(deviceId, attempt, result));
        } catch (err) {
          unwritten.push({ ...unreachableDevice(log, jobId, call, deviceId, err), failure: 'other' });
        }
      }
    };
    const ticker = setInterval(() => {
      heartbeat();
      flush().catch(() => undefined); // the final flush reports a write error
    }, FLUSH_INTERVAL_MS);
    try {
      await Promise.all(Array.from({ length: lanes }, lane));
    } finally {
      clearInterval(ticker);
    }
    await flush();
    claims.throwIfFailed();
    if (parked > 0) await deps.wakeOfflineWait(jobId);
    return resultOf(claimedCount, await store.countRolloutBatch(jobId, token), await store.retryQueue(jobId));
  };
}

/** The most devices a batch calls: its range's size, or its limit of retries due. */
const batchSizeOf = ({ devices }: RolloutBatch): number => ('range' in devices ? devices.range.to - devices.range.from : devices.limit);

export function resultOf(claimed: number, counts: RolloutBatchCounts, queue: { waiting: number; nextAt?: string }): RolloutBatchResult {
  return { claimed, counts, queue: { waiting: queue.waiting, ...(queue.nextAt !== undefined && { nextAt: Date.parse(queue.nextAt) }) } };
}
