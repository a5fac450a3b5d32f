import { Context, heartbeat } from '@temporalio/activity';
import type { MethodResult } from '../src/gateway/methods/invoker.js';
import type { ClaimedRecord, DeviceJobOutcome, SeqRange } from '../src/registry/job-records.js';
import { finishedCounts } from '../workflows/job-response.js';
import type { BatchCounts, JobMethodCall } from '../workflows/types.js';
import { BatchProgressReporter, type BatchProgressLimits } from './batch-progress.js';
import type { JobActivityDeps } from './deps.js';
import { withReconnectGrace } from './reconnect-grace.js';
import { OutcomeWriter, unreachableDevice, type DeviceWait } from './device-calls.js';

/** Outcomes are written (and the attempt heartbeats) this often while devices answer. */
const FLUSH_INTERVAL_MS = 1000;

function outcomeOf(deviceId: string, result: MethodResult): DeviceJobOutcome {
  return result.kind === 'response'
    ? { deviceId, status: 'completed', methodResponse: { status: result.status, payload: result.payload } }
    : { deviceId, status: 'failed', error: { code: result.code, description: result.message } };
}

export interface MethodBatch {
  jobId: string;
  range: SeqRange;
  call: JobMethodCall;
  /** Devices called at once. */
  deviceConcurrency: number;
  progress: BatchProgressLimits;
  /**
   * Set when the job waits for offline devices (rollout.waitForOfflineDevicesInSeconds): until when
   * (hub time, in workflow time from the batch's dispatch), instead of failing them.
   */
  waitForDeviceUntil?: string;
}

/** The wait of the devices found offline by calls that begin now (hub time). */
export const deviceWaitOf = (until: string | undefined, now: () => string): DeviceWait | undefined =>
  until === undefined ? undefined : { until, since: now() };

/**
 * A method job's batch: calls its devices `deviceConcurrency` at a time with the job's timeouts
 * (each lane takes the next device as soon as its device answers) and writes outcomes as they
 * arrive (flushed about every second, then heartbeating and telling the workflow the counts written
 * so far). Records tell what happened: a record is claimed (running) only as a lane is about to call
 * its device, so after a crash a pending record was never called (a retry calls it) and a running
 * one was being called (outcome unknown: a retry fails it with OUTCOME_UNKNOWN, never calls it
 * again). A cancelled attempt (its timeout passed, the job was cancelled) calls no one more, waits
 * for the answers of the devices already called, writes them, and ends. Any device status is a
 * completed device; offline, timed-out or unknown devices fail with the gateway's error code (a
 * device offline since the hub's own restart gets a grace first: withReconnectGrace).
 */
export function methodBatchActivity(deps: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log' | 'metrics' | 'signalBatchProgress' | 'reconnectGraceMs'>) {
  const { store, now, log, metrics, signalBatchProgress } = deps;
  const invoker = withReconnectGrace(deps.invoker, store, deps.reconnectGraceMs ?? 0);
  return async function processMethodBatch({ jobId, range, call, deviceConcurrency, progress }: MethodBatch): Promise<BatchCounts> {
    const { cancellationSignal } = Context.current();
    const reporter = new BatchProgressReporter(signalBatchProgress, range, progress);
    const outcomes = new OutcomeWriter<DeviceJobOutcome>(async (written) => {
      await store.finishDeviceJobs(jobId, written, now());
      for (const outcome of written) metrics?.devicesProcessed.inc({ type: 'scheduleDeviceMethod', outcome: outcome.status });
    });
    const claims = new RecordClaims((from, limit) => store.claimDeviceJobs(jobId, { from, to: range.to }, now(), limit), range.from, cancellationSignal);
    const lane = async () => {
      for (let deviceId = await claims.next(); deviceId !== undefined; deviceId = await claims.next()) {
        try {
          outcomes.add(outcomeOf(deviceId, await invoker.invoke(deviceId, call)));
        } catch (err) {
          outcomes.add(unreachableDevice(log, jobId, call, deviceId, err));
        }
      }
    };

    const ticker = setInterval(() => {
      heartbeat(outcomes.written());
      // The final flush below reports a write error.
      outcomes.flush().then(
        () => reporter.report(outcomes.written()),
        () => undefined,
      );
    }, FLUSH_INTERVAL_MS);
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(deviceConcurrency, range.to - range.from)) }, lane));
    } finally {
      clearInterval(ticker);
    }
    await outcomes.flush();
    await reporter.delivered();
    claims.throwIfFailed();
    // Every record this attempt claimed is written: the running ones left were an earlier attempt's.
    await store.closeRunningDeviceJobs(jobId, range, now());
    return finishedCounts(await store.countDeviceJobs(jobId, range));
  };
}

/**
 * Claims records for the lanes as they ask, the lanes waiting at the same time in one claim (so a
 * claimed record's device is called at once, and claims cost one store write per group, not per
 * device). Ends (next() resolves undefined) when the range has no pending record left, when a claim
 * failed, or on cancellation.
 */
class RecordClaims {
  private readonly waiting: Array<(deviceId: string | undefined) => void> = [];
  private claiming = false;
  private exhausted = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly claim: (from: number, limit: number) => Promise<ClaimedRecord[]>,
    /** Records before this one are claimed or final. */
    private from: number,
    private readonly cancelled: AbortSignal,
  ) {}

  next(): Promise<string | undefined> {
    if (this.exhausted || this.failure || this.cancelled.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      // After the current tick, so that lanes asking together share a claim.
      if (!this.claiming) queueMicrotask(() => this.claimForWaiting());
    });
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
    if (this.cancelled.aborted) throw this.cancelled.reason;
  }

  private claimForWaiting(): void {
    if (this.claiming || this.waiting.length === 0) return;
    const lanes = this.waiting.splice(0);
    if (this.exhausted || this.failure || this.cancelled.aborted) {
      for (const lane of lanes) lane(undefined);
      return;
    }
    this.claiming = true;
    this.claim(this.from, lanes.length)
      .then(
        (records) => {
          if (records.length < lanes.length) this.exhausted = true;
          const last = records.at(-1);
          if (last) this.from = last.seq + 1;
          lanes.forEach((lane, i) => lane(records[i]?.deviceId));
        },
        (error: unknown) => {
          this.failure ??= { error };
          for (const lane of lanes) lane(undefined);
        },
      )
      .finally(() => {
        this.claiming = false;
        this.claimForWaiting();
      });
  }
}
