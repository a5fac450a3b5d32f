/** The abort criteria (pure): checked on the finished devices the dispatcher counts. */
import { FAILURE_KINDS, noFailures, type AbortCriterion, type FailureCounts } from './rollout-types.js';

/** Devices that finished (final: retries over), and how those that failed did. */
export interface FinishedDevices {
  succeeded: number;
  failed: number;
  /** By type; a completed device that answered outside 200–299 is errorStatus. */
  failures: FailureCounts;
}

/**
 * The devices the batches finished together with those that finished after waiting for their device
 * (counted apart: offline-wait.ts), which the abort criteria weigh alike.
 */
export function finishedTogether(dispatched: FinishedDevices, waited: FinishedDevices | undefined): FinishedDevices {
  if (!waited) return dispatched;
  const failures = noFailures();
  // Counts reported before the waits' failures were counted by type have none.
  const waitedFailures: Partial<FailureCounts> = waited.failures ?? {};
  for (const kind of FAILURE_KINDS) failures[kind] = dispatched.failures[kind] + (waitedFailures[kind] ?? 0);
  return { succeeded: dispatched.succeeded + waited.succeeded, failed: dispatched.failed + waited.failed, failures };
}

/** Just the finished counts of `devices` (a signal carries no more). */
export const finishedOf = ({ succeeded, failed, failures }: FinishedDevices): FinishedDevices => ({ succeeded, failed, failures });

const FAILED_AS: Record<AbortCriterion['failureType'], string> = {
  offline: 'were offline',
  timedOut: 'timed out',
  errorStatus: 'answered with a status outside 200–299',
  all: 'failed',
};

/**
 * The first criterion met, in words naming it and the figures (the job's failureReason), or
 * undefined: a criterion counts once at least minNumberOfExecutedDevices devices finished, and is
 * met when the share of finished devices that failed that way reaches thresholdPercentage.
 */
export function abortCheck(criteria: readonly AbortCriterion[] | undefined, finished: FinishedDevices): string | undefined {
  const executed = finished.succeeded + finished.failed;
  const { failures } = finished;
  for (const [index, criterion] of (criteria ?? []).entries()) {
    if (executed === 0 || executed < criterion.minNumberOfExecutedDevices) continue;
    const failed =
      criterion.failureType === 'all' ? failures.offline + failures.timedOut + failures.errorStatus + failures.other : failures[criterion.failureType];
    const share = (failed * 100) / executed;
    if (share < criterion.thresholdPercentage) continue;
    return (
      `Aborted by rollout.abortCriteria[${index}] (${criterion.failureType} at ${criterion.thresholdPercentage}% after ${criterion.minNumberOfExecutedDevices} devices): ` +
      `${failed} of ${executed} finished devices (${share.toFixed(1)}%) ${FAILED_AS[criterion.failureType]}`
    );
  }
  return undefined;
}
