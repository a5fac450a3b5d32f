import { heartbeat } from '@temporalio/activity';
import type { MethodResult } from '../src/gateway/methods/invoker.js';
import type { Logger } from '../src/logger.js';
import type { DeviceJobOutcome } from '../src/registry/job-records.js';
import { errorMessage } from '../workflows/errors.js';
import type { BatchCounts, JobMethodCall } from '../workflows/types.js';
import type { BatchProgressReporter } from './batch-progress.js';
import type { JobActivityDeps } from './deps.js';

/** Outcomes are written (and the attempt heartbeats) this often while devices answer. */
const FLUSH_INTERVAL_MS = 1000;

const INTERRUPTED = {
  code: 'ServerError',
  description: 'The worker processing this device stopped before its outcome was recorded; the method was not invoked again',
};

/** Records claimed for calling: their devices, and those an earlier attempt left running (outcome unknown). */
export interface DeviceClaim {
  claimed: string[];
  interrupted: string[];
}

/** A device found offline, when the job waits for its devices (it is not failed). */
interface Offline {
  deviceId: string;
  status: 'offline';
}

type CallOutcome = DeviceJobOutcome | Offline;

/** A job waits for its offline devices until `until`; the calls began at `since` (both hub time). */
export interface DeviceWait {
  until: string;
  since: string;
}

export interface DeviceCalls {
  jobId: string;
  call: JobMethodCall;
  /** Devices called at once; also the size of each claim. */
  lanes: number;
  /** The next claimed records; undefined once none are left. */
  claim: (size: number) => Promise<DeviceClaim | undefined>;
  /** Set when offline devices wait for their device (rollout.waitForOfflineDevicesInSeconds). */
  wait?: DeviceWait;
  reporter?: BatchProgressReporter;
}

function outcomeOf(deviceId: string, result: MethodResult, wait: DeviceWait | undefined): CallOutcome {
  if (result.kind === 'response') return { deviceId, status: 'completed', methodResponse: { status: result.status, payload: result.payload } };
  if (wait && result.code === 'DeviceNotOnline') return { deviceId, status: 'offline' };
  return { deviceId, status: 'failed', error: { code: result.code, description: result.message } };
}

/** A call the hub could not make (the invoker threw): logged, and the device fails with ServerError. */
export function unreachableDevice(log: Logger, jobId: string, call: JobMethodCall, deviceId: string, err: unknown): DeviceJobOutcome & { status: 'failed' } {
  log.error({ err, jobId, deviceId }, `Job ${jobId}: calling ${call.methodName} on '${deviceId}' failed`);
  return { deviceId, status: 'failed', error: { code: 'ServerError', description: `The hub could not reach the device: ${errorMessage(err)}` } };
}

/**
 * Parks devices found offline by calls that began at `wait.since` (their records wait for the device
 * until `wait.until`) and, should some have connected meanwhile, wakes the job's wait at once.
 */
export function parkOfflineDevices({ store, now, wakeOfflineWait }: Pick<JobActivityDeps, 'store' | 'now' | 'wakeOfflineWait'>) {
  return async (jobId: string, deviceIds: string[], wait: DeviceWait): Promise<void> => {
    const { woken } = await store.deviceWaits.waitForDevices(jobId, deviceIds, wait.until, now(), wait.since);
    if (woken > 0) await wakeOfflineWait(jobId);
  };
}

/**
 * Calls claimed devices `lanes` at a time with the job's timeouts (each lane takes the next device
 * as soon as its device answers), claiming the next records as the lanes need them, and writes
 * outcomes as they arrive (flushed about every second, then heartbeating and telling the reporter
 * the counts written so far). At most once per device: records an earlier attempt left running are
 * failed, not called again. Offline devices of a job that waits for them are parked (their records
 * wait, src/registry/device-waits.ts), and the job's wait hears of it. Throws once every call made
 * has answered if a claim failed.
 */
export function deviceCallsActivity(deps: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log' | 'wakeOfflineWait'>) {
  const { store, invoker, now, log, wakeOfflineWait } = deps;
  const park = parkOfflineDevices(deps);
  return async function callDevices({ jobId, call, lanes, claim, wait, reporter }: DeviceCalls): Promise<void> {
    let parked = 0;
    const outcomes = new OutcomeWriter(async (written) => {
      const offline = written.filter((outcome): outcome is Offline => outcome.status === 'offline').map((outcome) => outcome.deviceId);
      const finals = written.filter((outcome): outcome is DeviceJobOutcome => outcome.status !== 'offline');
      if (finals.length > 0) await store.finishDeviceJobs(jobId, finals, now());
      if (offline.length > 0 && wait) {
        await park(jobId, offline, wait);
        parked += offline.length;
      }
    });

    let claimed: string[] = [];
    let taken = 0;
    let exhausted = false;
    let claiming: Promise<void> | undefined;
    // A failed claim stops the lanes; the attempt fails once the devices already called answered.
    let claimFailure: { error: unknown } | undefined;
    const claimNext = async () => {
      try {
        const next = await claim(lanes);
        if (!next) {
          exhausted = true;
          return;
        }
        for (const deviceId of next.interrupted) outcomes.add({ deviceId, status: 'failed', error: INTERRUPTED });
        claimed = next.claimed;
        taken = 0;
      } catch (error) {
        claimFailure ??= { error };
      }
    };
    const lane = async () => {
      for (;;) {
        if (taken === claimed.length) {
          if (exhausted || claimFailure) return;
          await (claiming ??= claimNext().finally(() => (claiming = undefined)));
          continue;
        }
        const deviceId = claimed[taken++]!;
        try {
          outcomes.add(outcomeOf(deviceId, await invoker.invoke(deviceId, call), wait));
        } catch (err) {
          outcomes.add(unreachableDevice(log, jobId, call, deviceId, err));
        }
      }
    };

    const ticker = setInterval(() => {
      heartbeat(outcomes.written());
      // The final flush below reports a write error.
      outcomes.flush().then(
        () => reporter?.report(outcomes.written()),
        () => undefined,
      );
    }, FLUSH_INTERVAL_MS);
    try {
      await Promise.all(Array.from({ length: lanes }, lane));
    } finally {
      clearInterval(ticker);
    }
    await outcomes.flush();
    await reporter?.delivered();
    if (claimFailure) throw claimFailure.error;
    // The wait counts the devices parked here (and ends once none is left).
    if (parked > 0) await wakeOfflineWait(jobId);
  };
}

/** Device outcomes written in order, a flush at a time, counting the final ones written. */
export class OutcomeWriter<Outcome extends CallOutcome = CallOutcome> {
  private readonly unwritten: Outcome[] = [];
  private writing: Promise<unknown> = Promise.resolve();
  private readonly counts = { succeeded: 0, failed: 0 };

  constructor(private readonly write: (outcomes: Outcome[]) => Promise<unknown>) {}

  add(outcome: Outcome): void {
    this.unwritten.push(outcome);
  }

  /** Writes the outcomes added so far, after the writes before. */
  flush(): Promise<unknown> {
    const outcomes = this.unwritten.splice(0);
    if (outcomes.length > 0) {
      this.writing = this.writing.then(async () => {
        await this.write(outcomes);
        for (const outcome of outcomes) {
          if (outcome.status !== 'offline') this.counts[outcome.status === 'completed' ? 'succeeded' : 'failed'] += 1;
        }
      });
    }
    return this.writing;
  }

  written(): BatchCounts {
    return { ...this.counts };
  }
}
