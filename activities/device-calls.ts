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
  /** Devices called at once. */
  lanes: number;
  /**
   * Claims (marks running) up to `count` records for lanes about to call their devices: their
   * devices. Fewer than `count` means none are left.
   */
  claim: (count: number) => Promise<string[]>;
  /** Set when offline devices wait for their device (rollout.waitForOfflineDevicesInSeconds). */
  wait?: DeviceWait;
  reporter?: BatchProgressReporter;
  /** Ends the calls early (the attempt was cancelled): no device is called after it fires. */
  cancelled?: AbortSignal;
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
 * Calls devices `lanes` at a time with the job's timeouts (each lane takes the next device as soon as
 * its device answers) and writes outcomes as they arrive (flushed about every second, then
 * heartbeating and telling the reporter the counts written so far). Records tell what happened: a
 * record is claimed (running) only as a lane is about to call its device (LaneClaims), so after a
 * crash a pending record was never called and a running one was being called (outcome unknown).
 * Offline devices of a job that waits for them are parked (their records wait,
 * src/registry/device-waits.ts), and the job's wait hears of it. Once every call made has answered
 * and its outcome is written, throws if a claim failed or the calls were cancelled.
 */
export function deviceCallsActivity(deps: Pick<JobActivityDeps, 'store' | 'invoker' | 'now' | 'log' | 'metrics' | 'wakeOfflineWait'>) {
  const { store, invoker, now, log, metrics, wakeOfflineWait } = deps;
  const park = parkOfflineDevices(deps);
  return async function callDevices({ jobId, call, lanes, claim, wait, reporter, cancelled }: DeviceCalls): Promise<void> {
    const outcomes = new OutcomeWriter<DeviceJobOutcome>(
      async (finals) => {
        await store.finishDeviceJobs(jobId, finals, now());
        // One increment per outcome per flush, not one per device.
        const completed = finals.filter((outcome) => outcome.status === 'completed').length;
        if (completed > 0) metrics?.devicesProcessed.inc({ type: 'scheduleDeviceMethod', outcome: 'completed' }, completed);
        if (completed < finals.length) metrics?.devicesProcessed.inc({ type: 'scheduleDeviceMethod', outcome: 'failed' }, finals.length - completed);
      },
      wait && ((deviceIds) => park(jobId, deviceIds, wait)),
    );
    const claims = new LaneClaims<string>(claim, lanes, cancelled);
    const lane = async () => {
      for (let deviceId = await claims.next(); deviceId !== undefined; deviceId = await claims.next()) {
        try {
          outcomes.add(outcomeOf(deviceId, await invoker.invoke(deviceId, call), wait));
        } catch (err) {
          outcomes.add(unreachableDevice(log, jobId, call, deviceId, err));
        }
      }
    };
    await outcomes.writeWhile(Promise.all(Array.from({ length: Math.max(1, lanes) }, lane)), (written) => reporter?.report(written));
    await reporter?.delivered();
    claims.throwIfFailed();
    // The wait counts the devices parked here (and ends once none is left).
    if (outcomes.parked > 0) await wakeOfflineWait(jobId);
  };
}

/** A lane whose device answered waits this long at most for others to share its claim. */
const CLAIM_GATHER_MS = 2;

/**
 * Claims records for the lanes as they ask, gathering lanes into one claim: a claimed record's device
 * is called at once, and claims cost one store write per group, not one per device (a claim of one
 * record costs about as much as one of hundreds). A claim is made when an eighth of the lanes wait
 * (after the current event-loop turn, so the lanes whose devices answered in it share it), or
 * CLAIM_GATHER_MS after the first lane began to wait. Ends (next() resolves undefined) when no record
 * is left, when a claim failed, or on cancellation.
 */
export class LaneClaims<Claimed> {
  private readonly waiting: Array<(claimed: Claimed | undefined) => void> = [];
  private readonly groupSize: number;
  private gathering: { timer: NodeJS.Timeout } | { immediate: NodeJS.Immediate } | undefined;
  private claiming = false;
  private exhausted = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly claim: (count: number) => Promise<Claimed[]>,
    lanes: number,
    private readonly cancelled?: AbortSignal,
  ) {
    this.groupSize = Math.max(1, Math.ceil(lanes / 8));
  }

  next(): Promise<Claimed | undefined> {
    if (this.ended()) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
    if (this.cancelled?.aborted) throw this.cancelled.reason;
  }

  private ended(): boolean {
    return this.exhausted || this.failure !== undefined || this.cancelled?.aborted === true;
  }

  private schedule(): void {
    if (this.claiming || this.waiting.length === 0) return; // a claim's end schedules the next
    const claimNow = () => {
      this.gathering = undefined;
      this.claimForWaiting();
    };
    if (this.waiting.length >= this.groupSize) {
      if (this.gathering && 'immediate' in this.gathering) return;
      if (this.gathering) clearTimeout(this.gathering.timer);
      this.gathering = { immediate: setImmediate(claimNow) };
    } else {
      this.gathering ??= { timer: setTimeout(claimNow, CLAIM_GATHER_MS) };
    }
  }

  private claimForWaiting(): void {
    const lanes = this.waiting.splice(0);
    if (lanes.length === 0) return;
    if (this.ended()) {
      for (const lane of lanes) lane(undefined);
      return;
    }
    this.claiming = true;
    this.claim(lanes.length)
      .then(
        (claimed) => {
          if (claimed.length < lanes.length) this.exhausted = true;
          lanes.forEach((lane, i) => lane(claimed[i]));
        },
        (error: unknown) => {
          this.failure ??= { error };
          for (const lane of lanes) lane(undefined);
        },
      )
      .finally(() => {
        this.claiming = false;
        this.schedule();
      });
  }
}

/**
 * Device outcomes written in order, a flush at a time: final ones through `finish` (counted), offline
 * devices of a job that waits for them through `park`.
 */
export class OutcomeWriter<Final extends DeviceJobOutcome> {
  private readonly unwritten: Array<Final | Offline> = [];
  private writing: Promise<unknown> = Promise.resolve();
  private readonly counts = { succeeded: 0, failed: 0 };
  /** Devices parked so far. */
  parked = 0;

  constructor(
    private readonly finish: (finals: Final[]) => Promise<unknown>,
    private readonly park?: (deviceIds: string[]) => Promise<void>,
  ) {}

  add(outcome: Final | Offline): void {
    this.unwritten.push(outcome);
  }

  /** Writes the outcomes added so far, after the writes before. */
  flush(): Promise<unknown> {
    const outcomes = this.unwritten.splice(0);
    if (outcomes.length > 0) this.writing = this.writing.then(() => this.write(outcomes));
    return this.writing;
  }

  /**
   * Flushes about every second while `calls` run (the attempt heartbeating with the counts written
   * so far, `onWritten` told them after each flush), then once more when they end.
   */
  async writeWhile(calls: Promise<unknown>, onWritten?: (written: BatchCounts) => void): Promise<void> {
    const ticker = setInterval(() => {
      heartbeat(this.written());
      // The final flush below reports a write error.
      this.flush().then(
        () => onWritten?.(this.written()),
        () => undefined,
      );
    }, FLUSH_INTERVAL_MS);
    try {
      await calls;
    } finally {
      clearInterval(ticker);
    }
    await this.flush();
  }

  written(): BatchCounts {
    return { ...this.counts };
  }

  private async write(outcomes: Array<Final | Offline>): Promise<void> {
    const finals = outcomes.filter((outcome): outcome is Final => outcome.status !== 'offline');
    const offline = outcomes.filter((outcome) => outcome.status === 'offline').map((outcome) => outcome.deviceId);
    if (finals.length > 0) await this.finish(finals);
    for (const outcome of finals) this.counts[outcome.status === 'completed' ? 'succeeded' : 'failed'] += 1;
    if (offline.length > 0 && this.park) {
      await this.park(offline);
      this.parked += offline.length;
    }
  }
}
