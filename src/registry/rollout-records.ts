import type { DeviceFailureType, FailureCounts } from '../../workflows/rollout-types.js';
import type { DeviceJobOutcome, SeqRange } from './job-records.js';

/**
 * The job records of a rollout job (one with rate, abort criteria or retries): its batches claim
 * their devices, each as it is called, under a token (so a retried attempt finds its own devices again, and counting a
 * batch counts each device once, in the last batch that claimed it), record each attempt
 * (`attempts` in the devices.jobs row), how a finished device failed (for the abort criteria), and
 * devices waiting for a retry: status `pending` in the row, `retrying` in the status column, due at
 * `retry_at` (the retry queue lives in the store, not in the workflow).
 */
export type FailureKind = DeviceFailureType | 'other';

/**
 * How a method call's answer failed, if it did: offline (DeviceNotOnline), timedOut
 * (GatewayTimeout), errorStatus (a status outside 200–299), other (any other error).
 */
export function failureKindOfAnswer(answer: { status: number } | { code: string }): FailureKind | undefined {
  if ('status' in answer) return answer.status >= 200 && answer.status <= 299 ? undefined : 'errorStatus';
  if (answer.code === 'DeviceNotOnline') return 'offline';
  if (answer.code === 'GatewayTimeout') return 'timedOut';
  return 'other';
}

/** A batch's devices: the pending records of a seq range (first attempts), or up to `limit` retries due by `dueBefore` (hub time). */
export type RolloutClaim = { token: string; range: SeqRange } | { token: string; dueBefore: string; limit: number };

export interface ClaimedDevice {
  deviceId: string;
  /** This attempt's number, 1 for the first. */
  attempt: number;
}

/** An attempt's end: final (with how it failed, if it did), or a retry due at `retryAt` (hub time). */
export type RolloutOutcome = DeviceJobOutcome & { failure?: FailureKind; retryAt?: string };

/** The devices a batch claimed last, by where they are now. */
export interface RolloutBatchCounts {
  succeeded: number;
  failed: number;
  /** Finished devices by how they failed (a completed device that answered outside 200–299 is errorStatus). */
  failures: FailureCounts;
  retrying: number;
}

/** The job's devices waiting for a retry, and when the first is due (hub time). */
export interface RetryQueue {
  waiting: number;
  nextAt?: string;
}

export interface RolloutRecordStore {
  /**
   * Marks up to `count` of the batch's devices running under `token` (attempts + 1), as lanes are
   * about to call them, and returns them: the first pending records of the range, or the retries
   * due first, `limit` under the token at most in all (so a retried activity attempt goes on where
   * the last one stopped). Fewer than `count`: none are left.
   */
  claimRolloutDevices(jobId: string, claim: RolloutClaim, count: number, at: string): Promise<ClaimedDevice[]>;
  /** The token's devices still running: an earlier attempt of the batch was calling them when it died. */
  runningRolloutDevices(jobId: string, token: string): Promise<string[]>;
  /** Writes attempts' ends of records still running; returns how many it wrote. */
  finishRolloutDevices(jobId: string, outcomes: readonly RolloutOutcome[], at: string): Promise<number>;
  countRolloutBatch(jobId: string, token: string): Promise<RolloutBatchCounts>;
  retryQueue(jobId: string): Promise<RetryQueue>;
}
