/**
 * A method job's wait for its offline devices (rollout.waitForOfflineDevicesInSeconds), a child
 * workflow of the job (id offlineWaitWorkflowId(jobId)) running beside its batches. The devices live
 * in the store (src/registry/device-waits.ts), never in this workflow's state: batches park the
 * devices they find offline, the gateway's connect events wake their records (through the jobs
 * worker, coalesced: one signal per job per short interval, without a device list), and this
 * workflow calls the woken devices in activities, ends the waits that run out (a timer at the next
 * end), and ends once the job dispatched every device and none waits. Each run first looks for
 * waiting devices that are connected, so connects that nobody heard (a crash, a run's end) are
 * not missed; it continues as new before its history passes tuning.shardHistoryLimit.
 */
import { condition, continueAsNew, getExternalWorkflowHandle, proxyActivities, setHandler, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { JobActivities } from '../activities/index.js';
import type { WaitedDevices } from '../src/registry/device-waits.js';
import { operationSummary } from './activity-summaries.js';
import { formatHubTime } from './hub-time.js';
import { devicesDispatchedSignal, devicesWaitingSignal, stopWaitingSignal, waitedDevicesSignal } from './offline-wait-messages.js';
import type { JobMethodCall, JobTuning } from './types.js';

/** Reports of the wait's counts to the job, at most, over the job's life (its history stays bounded). */
export const MAX_WAIT_REPORTS = 500;
/** Of which this many may go at once (then they accrue over the job's maxExecutionTimeInSeconds). */
const WAIT_REPORT_BURST = 250;

export interface OfflineWaitInput {
  jobId: string;
  call: JobMethodCall;
  waitSeconds: number;
  tuning: JobTuning;
  /** The job's maxExecutionTimeInSeconds: reports are spread over it. */
  maxExecutionTimeInSeconds: number;
  /** Carried over continue-as-new. */
  dispatched: boolean;
  /** Reports sent so far, the last one's time and counts, and the job's start (workflow time). */
  reports: { sent: number; at: number; since: number; last?: WaitedDevices };
}

const RETRY: RetryPolicy = { initialInterval: '1 second', maximumInterval: '30 seconds' };

const { lookForConnectedDevices } = proxyActivities<JobActivities>({
  summary: 'look for waiting devices that have connected',
  startToCloseTimeout: '10 minutes',
  retry: RETRY,
});
const { endDeviceWaits } = proxyActivities<JobActivities>({ summary: 'end the waits that ran out', startToCloseTimeout: '10 minutes', retry: RETRY });

/** As a method batch: ⌈batchSize / deviceConcurrency⌉ rounds of connect + response timeout, plus slack; heartbeats as devices answer. */
function callWokenDevicesOf(call: JobMethodCall, tuning: JobTuning): JobActivities['callWokenDevices'] {
  const rounds = Math.ceil(tuning.batchSize / tuning.deviceConcurrency);
  const perDevice = call.connectTimeoutInSeconds + call.responseTimeoutInSeconds;
  return proxyActivities<JobActivities>({
    summary: `${operationSummary({ kind: 'method', call })} on devices that connected`,
    startToCloseTimeout: `${rounds * perDevice + 300} seconds`,
    heartbeatTimeout: '30 seconds',
    retry: RETRY,
  }).callWokenDevices;
}

const hubTime = (ms: number): string => formatHubTime(new Date(ms));
const sameCounts = (a: WaitedDevices | undefined, b: WaitedDevices): boolean =>
  a !== undefined && a.waiting === b.waiting && a.running === b.running && a.succeeded === b.succeeded && a.failed === b.failed;

export async function iotHubJobOfflineWait(input: OfflineWaitInput): Promise<WaitedDevices> {
  const { jobId, waitSeconds, tuning } = input;
  let dispatched = input.dispatched;
  let stopped = false;
  let woken = false;
  setHandler(devicesWaitingSignal, () => void (woken = true));
  setHandler(devicesDispatchedSignal, () => void (dispatched = woken = true));
  setHandler(stopWaitingSignal, () => void (stopped = true));
  const reporter = new JobReporter(input);

  let waited = await lookForConnectedDevices(jobId);
  woken = true;
  for (;;) {
    if (stopped) break;
    // A new run calls any woken devices first (it looks for connected ones, then calls).
    if (workflowInfo().historyLength >= tuning.shardHistoryLimit) {
      return continueAsNew<typeof iotHubJobOfflineWait>({ ...input, dispatched, reports: reporter.carried() });
    }
    if (woken) {
      woken = false;
      waited = await callWoken(input, () => stopped);
      await reporter.report(waited);
      continue;
    }
    if (dispatched && waited.waiting + waited.running === 0) break;
    // Records parked after the last look end no sooner than a wait from now.
    const nextEnd = Math.min(waited.nextWaitEnd === undefined ? Infinity : Date.parse(waited.nextWaitEnd), Date.now() + waitSeconds * 1000);
    const heard = await condition(() => woken || stopped, Math.max(1, Math.min(nextEnd, reporter.dueAt()) - Date.now()));
    if (!heard) {
      if (Date.now() >= nextEnd) waited = await endDeviceWaits({ jobId, now: hubTime(Date.now()), waitSeconds });
      await reporter.report(waited);
    }
  }
  await reporter.report(waited, true);
  return waited;
}

/** The woken devices, an activity at a time (each up to tuning.batchSize), until none is left or the job stops. */
async function callWoken({ jobId, call, waitSeconds, tuning }: OfflineWaitInput, stopped: () => boolean): Promise<WaitedDevices> {
  const callWokenDevices = callWokenDevicesOf(call, tuning);
  for (;;) {
    const { waited, more } = await callWokenDevices({
      jobId,
      call,
      deviceConcurrency: tuning.deviceConcurrency,
      limit: tuning.batchSize,
      waitForDeviceUntil: hubTime(Date.now() + waitSeconds * 1000),
    });
    if (!more || stopped() || workflowInfo().historyLength >= tuning.shardHistoryLimit) return waited;
  }
}

/**
 * The wait's counts to the job (its parent, whose id is the job id) when they changed, not more
 * often than progressIntervalMs, from a budget of MAX_WAIT_REPORTS over the job's life: half of it
 * at once (the first changes show quickly), the rest accruing evenly over the job's
 * maxExecutionTimeInSeconds. Counts held back go out once the budget allows (dueAt); the last
 * report (the wait's end) is kept for last.
 */
class JobReporter {
  private sent: number;
  private at: number;
  private readonly since: number;
  private last: WaitedDevices | undefined;
  /** The latest counts, reported or held back. */
  private latest: WaitedDevices | undefined;
  private readonly jobId: string;
  private readonly intervalMs: number;
  private readonly accrualMs: number;

  constructor({ jobId, reports, tuning, maxExecutionTimeInSeconds }: OfflineWaitInput) {
    this.jobId = jobId;
    this.sent = reports.sent;
    this.at = reports.at;
    this.since = reports.since;
    this.last = reports.last;
    this.intervalMs = tuning.progressIntervalMs;
    this.accrualMs = (maxExecutionTimeInSeconds * 1000) / (MAX_WAIT_REPORTS - WAIT_REPORT_BURST - 1);
  }

  /** When the next report may go (workflow time). */
  private allowedAt(): number {
    const accrued = this.since + Math.max(0, this.sent + 1 - WAIT_REPORT_BURST) * this.accrualMs;
    return Math.max(this.at + this.intervalMs, accrued);
  }

  /** When counts held back are to be reported (workflow time), if any are. */
  dueAt(): number {
    return this.latest === undefined || sameCounts(this.last, this.latest) ? Infinity : this.allowedAt();
  }

  async report(waited: WaitedDevices, final = false): Promise<void> {
    this.latest = waited;
    if (sameCounts(this.last, waited) || this.sent >= MAX_WAIT_REPORTS || (!final && (Date.now() < this.allowedAt() || this.sent >= MAX_WAIT_REPORTS - 1)))
      return;
    this.sent += 1;
    this.at = Date.now();
    this.last = waited;
    await getExternalWorkflowHandle(this.jobId)
      .signal(waitedDevicesSignal, waited)
      .catch(() => undefined); // the job is gone: nobody to tell
  }

  carried(): OfflineWaitInput['reports'] {
    return { sent: this.sent, at: this.at, since: this.since, ...(this.last && { last: this.last }) };
  }
}
