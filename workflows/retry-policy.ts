/** Per-device retries (pure): how many a failure gets, and the backoff before each. */
import type { FailureKind } from '../src/registry/rollout-records.js';
import type { RetryBackoff, RolloutRetry } from './rollout-types.js';

/** Retries allowed after a failure of `kind`: its own criterion, else `all`'s, else none. */
export function retriesFor(retry: RolloutRetry, kind: FailureKind): number {
  const own = retry.criteria.find((c) => c.failureType === kind);
  return (own ?? retry.criteria.find((c) => c.failureType === 'all'))?.numberOfRetries ?? 0;
}

/** The wait after failed attempt `attempt` (1-based): initial × coefficient^(attempt−1), at most the maximum. */
export function backoffSeconds(backoff: RetryBackoff, attempt: number): number {
  return Math.min(backoff.maximumIntervalInSeconds, backoff.initialIntervalInSeconds * backoff.backoffCoefficient ** Math.max(0, attempt - 1));
}
