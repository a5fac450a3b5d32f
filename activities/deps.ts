import type { MethodInvoker } from '../src/gateway/methods/invoker.js';
import type { Logger } from '../src/logger.js';
import type { HubEvents } from '../src/registry/events.js';
import type { DeviceWaitStore } from '../src/registry/device-waits.js';
import type { JobRecordStore } from '../src/registry/job-records.js';
import type { RolloutRecordStore } from '../src/registry/rollout-records.js';
import type { SignalBatchProgress } from './batch-progress.js';
import type { WakeOfflineWait } from './offline-wait.js';

/** What the job activities work with; the worker builds them once per process. */
export interface JobActivityDeps {
  store: JobRecordStore & RolloutRecordStore & { deviceWaits: DeviceWaitStore };
  /** Direct-method calls to devices wherever they are connected (the gateway's invoker). */
  invoker: MethodInvoker;
  /** Desired-property notifications to connected devices (the hub's fan-out). */
  events: HubEvents;
  /** A method batch's progress to the workflow running it (signalBatchProgressWith(client)). */
  signalBatchProgress: SignalBatchProgress;
  /** Tells a job's wait for offline devices that its records changed (wakeOfflineWaitWith(client)). */
  wakeOfflineWait: WakeOfflineWait;
  log: Logger;
  /** Hub time for record timestamps (tests may pin it). */
  now: () => string;
}
