/**
 * How a job ends, and the words for it (pure): the one place that turns an outcome into the
 * JobResponse's status and failureReason, and into the error of the devices it left unprocessed.
 */
import type { JobDefinition, JobStatus, UnprocessedClosing } from './types.js';

/** Why a job could not do its work. */
export type JobFailure =
  | { reason: 'unresolvable'; detail: string }
  | { reason: 'batchesFailed'; detail: string }
  | { reason: 'shardFailed'; shard: number; detail: string }
  | { reason: 'aborted'; detail: string };

/** Why a job stopped dispatching before its devices were done. */
export type StopCause = 'cancelled' | 'expired' | 'aborted';

export type JobOutcome = { kind: 'completed' } | { kind: 'cancelled' } | { kind: 'expired'; unprocessed: number } | ({ kind: 'failed' } & JobFailure);

function failureText(failure: JobFailure): string {
  switch (failure.reason) {
    case 'unresolvable':
      return `The devices matching the queryCondition could not be determined: ${failure.detail}`;
    case 'batchesFailed':
      return `Some devices could not be processed: ${failure.detail}`;
    case 'shardFailed':
      return `Shard ${failure.shard} failed: ${failure.detail}`;
    case 'aborted':
      return failure.detail;
  }
}

/**
 * The outcome once the unprocessed devices are closed: a cancel wins; an expiry counts only if it
 * left devices unprocessed; then a failure (an abort is one); else the job completed (some devices
 * may have failed).
 */
export function outcomeOf(stop: StopCause | undefined, failure: JobFailure | undefined, unprocessed: number): JobOutcome {
  if (stop === 'cancelled') return { kind: 'cancelled' };
  if (stop === 'expired' && unprocessed > 0) return { kind: 'expired', unprocessed };
  if (failure) return { kind: 'failed', ...failure };
  return { kind: 'completed' };
}

export function statusOf(outcome: JobOutcome): JobStatus {
  return outcome.kind === 'expired' ? 'failed' : outcome.kind;
}

export function failureReasonOf(outcome: JobOutcome, job: JobDefinition): string | undefined {
  switch (outcome.kind) {
    case 'expired':
      return `The job did not finish within maxExecutionTimeInSeconds (${job.maxExecutionTimeInSeconds}): ${outcome.unprocessed} devices were not processed`;
    case 'failed':
      return failureText(outcome);
    default:
      return undefined;
  }
}

function pendingEnd(job: JobDefinition, stop: StopCause | undefined, failure: JobFailure | undefined): UnprocessedClosing['pending'] | undefined {
  // An abort stops the rollout short: the devices it did not start are canceled, as on a cancel.
  if (stop === 'cancelled' || stop === 'aborted') return { status: 'canceled' };
  if (stop === 'expired') {
    const description = `The job's maxExecutionTimeInSeconds (${job.maxExecutionTimeInSeconds}) ran out before this device was processed`;
    return { status: 'failed', error: { code: 'JobExpired', description } };
  }
  if (failure) return { status: 'failed', error: { code: 'ServerError', description: failureText(failure) } };
  return undefined;
}

/**
 * How the devices a job leaves unprocessed end: canceled on cancel, failed otherwise, saying why.
 * None when the job was neither stopped nor failed: then every batch ran and every record is final.
 */
export function closingOf(job: JobDefinition, stop: StopCause | undefined, failure: JobFailure | undefined, at: string): UnprocessedClosing | undefined {
  const pending = pendingEnd(job, stop, failure);
  return pending && { jobId: job.jobId, pending, at };
}
