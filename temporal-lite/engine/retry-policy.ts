// Retry decisions shared by activities and workflows (Temporal's retry policy semantics).
import { durationMs, duration } from '../clock/time.js';
import type { Failure, RetryPolicy, RetryState } from '../grpc/api.js';

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; retryState: RetryState };

/** Fills the server defaults into a retry policy (initial 1 s, coefficient 2, max 100 × initial). */
export function withRetryDefaults(policy: RetryPolicy | undefined): RetryPolicy {
  const initialMs = durationMs(policy?.initialInterval) || 1000;
  return {
    ...policy,
    initialInterval: duration(initialMs),
    backoffCoefficient: policy?.backoffCoefficient || 2,
    maximumInterval: policy?.maximumInterval && durationMs(policy.maximumInterval) > 0 ? policy.maximumInterval : duration(initialMs * 100),
    maximumAttempts: policy?.maximumAttempts ?? 0,
  };
}

/**
 * Whether attempt `attempt` that ended with `failure` is retried, and after how long.
 * `deadline` is the time after which no retry may start (schedule-to-close / execution timeout).
 */
export function retryDecision(policy: RetryPolicy | undefined, attempt: number, failure: Failure | undefined, now: number, deadline?: number): RetryDecision {
  if (!policy) return { retry: false, retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET' };
  const application = failure?.applicationFailureInfo;
  if (application?.nonRetryable) return { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' };
  const types = policy.nonRetryableErrorTypes ?? [];
  if (application?.type && types.includes(application.type)) return { retry: false, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' };
  const max = Number(policy.maximumAttempts ?? 0);
  if (max > 0 && attempt >= max) return { retry: false, retryState: 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED' };
  const initial = durationMs(policy.initialInterval) || 1000;
  const maxInterval = durationMs(policy.maximumInterval) || initial * 100;
  const coefficient = Number(policy.backoffCoefficient || 2);
  const explicit = application?.nextRetryDelay ? durationMs(application.nextRetryDelay) : 0;
  const delayMs = explicit > 0 ? explicit : Math.min(maxInterval, initial * coefficient ** (attempt - 1));
  if (deadline !== undefined && now + delayMs >= deadline) return { retry: false, retryState: 'RETRY_STATE_TIMEOUT' };
  return { retry: true, delayMs };
}
