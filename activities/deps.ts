import type { MethodInvoker } from '../src/gateway/methods/invoker.js';
import type { Logger } from '../src/logger.js';
import type { HubMetrics } from '../src/observe/metrics.js';
import type { HubEvents } from '../src/registry/events.js';
import type { DeviceWaitStore } from '../src/registry/device-waits.js';
import type { JobRecordStore } from '../src/registry/job-records.js';
import type { JobEventPublisher } from '../src/webhooks/publisher.js';
import type { ReconnectGraceStore } from '../src/registry/store.js';
import type { RolloutRecordStore } from '../src/registry/rollout-records.js';
import type { SignalBatchProgress } from './batch-progress.js';
import type { WakeOfflineWait } from './offline-wait.js';

/** What the job activities work with; the worker builds them once per process. */
export interface JobActivityDeps {
  store: JobRecordStore & ReconnectGraceStore & RolloutRecordStore & { deviceWaits: DeviceWaitStore };
  /** Direct-method calls to devices wherever they are connected (the gateway's invoker). */
  invoker: MethodInvoker;
  /** Desired-property notifications to connected devices (the hub's fan-out). */
  events: HubEvents;
  /** A method batch's progress to the workflow running it (signalBatchProgressWith(client)). */
  signalBatchProgress: SignalBatchProgress;
  /** A batch's failed devices to the hooks that want them (jobEventPublisher). */
  publishJobEvent: JobEventPublisher;
  /**
   * How long method jobs wait for a device that was connected when a gateway went down, from the
   * gateway's restart (ms; 0 or absent: no grace). See withReconnectGrace.
   */
  reconnectGraceMs?: number;
  /** Tells a job's wait for offline devices that its records changed (wakeOfflineWaitWith(client)). */
  wakeOfflineWait: WakeOfflineWait;
  log: Logger;
  /** Jobs started and finished, device outcomes (the worker process's /metrics); absent in unit tests. */
  metrics?: HubMetrics;
  /** Hub time for record timestamps (tests may pin it). */
  now: () => string;
}
