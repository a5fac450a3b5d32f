import { heartbeat } from '@temporalio/activity';
import type { MethodResult } from '../src/gateway/methods/invoker.js';
import type { DeviceJobOutcome, SeqRange } from '../src/registry/job-records.js';
import { errorMessage } from '../workflows/errors.js';
import { finishedCounts } from '../workflows/job-response.js';
import type { BatchCounts, JobMethodCall } from '../workflows/types.js';
import { BatchProgressReporter, type BatchProgressLimits } from './batch-progress.js';
import type { JobActivityDeps } from './deps.js';

/** Outcomes are written (and the attempt heartbeats) this often while devices answer. */
const FLUSH_INTERVAL_MS = 1000;

const INTERRUPTED = {
  code: 'ServerError',
  description: 'The worker processing this device stopped before its outcome was recorded; the method was not invoked again',
};

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
}

/**
 * A method job's batch: calls its devices `deviceConcurrency` at a time with the job's timeouts
 * (each lane takes the next device as soon as its device answers), claiming the pending records
 * (running) a window at a time as the lanes need them, and writes outcomes as they arrive (flushed
 * about every second, then heartbeating and telling the workflow the counts written so far). At
 * most once per device: records an earlier attempt left running are failed, not called again;
 * claiming a window at a time keeps those to one window's worth when a worker dies. Any device
 * status is a completed device; offline, timed-out or unknown devices fail with the gateway's
 * error code.
 */
export function methodBatchActivity({ store, invoker, now, log, metrics, signalBatchProgress }: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log' | 'metrics' | 'signalBatchProgress'>) {
  return async function processMethodBatch({ jobId, range, call, deviceConcurrency, progress }: MethodBatch): Promise<BatchCounts> {
    const window = Math.max(1, Math.min(deviceConcurrency, range.to - range.from));
    const reporter = new BatchProgressReporter(signalBatchProgress, range, progress);
    const outcomes = new OutcomeWriter(async (written) => {
      await store.finishDeviceJobs(jobId, written, now());
      for (const outcome of written) metrics?.devicesProcessed.inc({ type: 'scheduleDeviceMethod', outcome: outcome.status });
    });

    // The claimed devices not taken by a lane yet: claimed[taken…].
    let claimed: string[] = [];
    let taken = 0;
    let claimedTo = range.from;
    let claiming: Promise<void> | undefined;
    // A failed claim stops the lanes; the attempt fails once the devices already called answered.
    let claimFailure: { error: unknown } | undefined;
    const claimWindow = async () => {
      const to = Math.min(claimedTo + window, range.to);
      try {
        const claim = await store.claimDeviceJobs(jobId, { from: claimedTo, to }, now());
        claimedTo = to;
        for (const deviceId of claim.interrupted) outcomes.add({ deviceId, status: 'failed', error: INTERRUPTED });
        claimed = claim.claimed;
        taken = 0;
      } catch (error) {
        claimFailure ??= { error };
      }
    };
    const lane = async () => {
      for (;;) {
        if (taken === claimed.length) {
          if (claimedTo >= range.to || claimFailure) return;
          await (claiming ??= claimWindow().finally(() => (claiming = undefined)));
          continue;
        }
        const deviceId = claimed[taken++]!;
        try {
          outcomes.add(outcomeOf(deviceId, await invoker.invoke(deviceId, call)));
        } catch (err) {
          log.error({ err, jobId, deviceId }, `Job ${jobId}: calling ${call.methodName} on '${deviceId}' failed`);
          const description = `The hub could not reach the device: ${errorMessage(err)}`;
          outcomes.add({ deviceId, status: 'failed', error: { code: 'ServerError', description } });
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
      await Promise.all(Array.from({ length: window }, lane));
    } finally {
      clearInterval(ticker);
    }
    await outcomes.flush();
    await reporter.delivered();
    if (claimFailure) throw claimFailure.error;
    return finishedCounts(await store.countDeviceJobs(jobId, range));
  };
}

/** Device outcomes written in order, a flush at a time, counting the ones written. */
class OutcomeWriter {
  private readonly unwritten: DeviceJobOutcome[] = [];
  private writing: Promise<unknown> = Promise.resolve();
  private readonly counts = { succeeded: 0, failed: 0 };

  constructor(private readonly write: (outcomes: DeviceJobOutcome[]) => Promise<unknown>) {}

  add(outcome: DeviceJobOutcome): void {
    this.unwritten.push(outcome);
  }

  /** Writes the outcomes added so far, after the writes before. */
  flush(): Promise<unknown> {
    const outcomes = this.unwritten.splice(0);
    if (outcomes.length > 0) {
      this.writing = this.writing.then(async () => {
        await this.write(outcomes);
        for (const outcome of outcomes) this.counts[outcome.status === 'completed' ? 'succeeded' : 'failed'] += 1;
      });
    }
    return this.writing;
  }

  written(): BatchCounts {
    return { ...this.counts };
  }
}
