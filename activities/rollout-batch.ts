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
import { LaneClaims, OutcomeWriter, parkOfflineDevices, unreachableDevice } from './device-calls.js';
import { deviceWaitOf } from './method-batch.js';

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
    // Offline devices of a job that waits for them are parked (device-calls.ts).
    const wait = deviceWaitOf(batch.waitForDeviceUntil, now);
    const outcomes = new OutcomeWriter<RolloutOutcome>(
      (finals) => store.finishRolloutDevices(jobId, finals, now()),
      wait && ((deviceIds) => park(jobId, deviceIds, wait)),
    );
    for (const deviceId of interrupted) outcomes.add({ deviceId, status: 'failed', error: OUTCOME_UNKNOWN, failure: 'other' });
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
          outcomes.add(wait && failureKindOf(result) === 'offline' ? { deviceId, status: 'offline' } : end(deviceId, attempt, result));
        } catch (err) {
          outcomes.add({ ...unreachableDevice(log, jobId, call, deviceId, err), failure: 'other' });
        }
      }
    };
    await outcomes.writeWhile(Promise.all(Array.from({ length: lanes }, lane)));
    claims.throwIfFailed();
    if (outcomes.parked > 0) await deps.wakeOfflineWait(jobId);
    return resultOf(claimedCount, await store.countRolloutBatch(jobId, token), await store.retryQueue(jobId));
  };
}

/** The most devices a batch calls: its range's size, or its limit of retries due. */
const batchSizeOf = ({ devices }: RolloutBatch): number => ('range' in devices ? devices.range.to - devices.range.from : devices.limit);

export function resultOf(claimed: number, counts: RolloutBatchCounts, queue: { waiting: number; nextAt?: string }): RolloutBatchResult {
  return { claimed, counts, queue: { waiting: queue.waiting, ...(queue.nextAt !== undefined && { nextAt: Date.parse(queue.nextAt) }) } };
}
