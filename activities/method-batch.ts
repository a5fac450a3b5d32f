import { heartbeat } from '@temporalio/activity';
import type { MethodResult } from '../src/gateway/methods/invoker.js';
import type { DeviceJobOutcome, SeqRange } from '../src/registry/job-records.js';
import type { BatchCounts, JobMethodCall } from '../workflows/types.js';
import { finalCounts } from './counts.js';
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

/**
 * A method job's batch: claims the range's pending records (running), calls every claimed device
 * concurrently with the job's timeouts, and writes outcomes as they arrive (flushed about every
 * second). At most once per device: records an earlier attempt left running are failed, not called
 * again. Any device status is a completed device; offline, timed-out or unknown devices fail with
 * the gateway's error code.
 */
export function methodBatchActivity({ store, invoker, now, log }: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log'>) {
  return async function processMethodBatch(jobId: string, range: SeqRange, call: JobMethodCall): Promise<BatchCounts> {
    const { claimed, interrupted } = await store.claimDeviceJobs(jobId, range, now());
    const unwritten: DeviceJobOutcome[] = interrupted.map((deviceId) => ({ deviceId, status: 'failed', error: INTERRUPTED }));
    let writing: Promise<unknown> = Promise.resolve();
    const flush = () => {
      const outcomes = unwritten.splice(0);
      if (outcomes.length > 0) writing = writing.then(() => store.finishDeviceJobs(jobId, outcomes, now()));
      return writing;
    };
    const ticker = setInterval(() => {
      heartbeat(claimed.length - unwritten.length);
      flush().catch(() => undefined); // the final flush below reports the error
    }, FLUSH_INTERVAL_MS);
    try {
      await Promise.all(
        claimed.map(async (deviceId) => {
          try {
            unwritten.push(outcomeOf(deviceId, await invoker.invoke(deviceId, call)));
          } catch (err) {
            log.error(`Job ${jobId}: calling ${call.methodName} on '${deviceId}' failed`, err);
            const description = `The hub could not reach the device: ${err instanceof Error ? err.message : String(err)}`;
            unwritten.push({ deviceId, status: 'failed', error: { code: 'ServerError', description } });
          }
        }),
      );
    } finally {
      clearInterval(ticker);
    }
    await flush();
    return finalCounts(await store.countDeviceJobs(jobId, range));
  };
}
