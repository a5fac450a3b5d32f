import type { WakeOfflineWait } from '../../activities/offline-wait.js';
import type { ConnectEvents } from '../gateway/connect-events.js';
import type { Logger } from '../logger.js';
import type { DeviceWaitStore } from '../registry/device-waits.js';

export interface DeviceWakeOptions {
  events: Pick<ConnectEvents, 'listen'>;
  store: Pick<DeviceWaitStore, 'wakeWaitingDevices' | 'wakeConnectedDevices'>;
  wake: WakeOfflineWait;
  log: Logger;
  /**
   * One store write and one signal per job at most this often (default 100 ms): a connect after a
   * quiet interval goes out at once, the connects heard within an interval of the last write wait for
   * its end and go together.
   */
  intervalMs?: number;
}

/**
 * The jobs worker's ear for connects: the devices that connected within an interval (see intervalMs) wake their
 * waiting records with one indexed write (by device id, src/registry/device-waits.ts), and each job
 * concerned gets one signal, without a device list, for its wait to call them. At start, and after
 * a gap in the events, the records of every waiting device the store shows connected are woken:
 * connects while no worker listened (a restart) are not missed. Returns the stop.
 */
export async function listenForWaitingDevices({ events, store, wake, log, intervalMs = 100 }: DeviceWakeOptions): Promise<() => Promise<void>> {
  let heard = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let lastFlushAt = -Infinity;
  let work: Promise<void> = Promise.resolve();
  const signalJobs = async (jobIds: readonly string[]) => {
    for (const jobId of jobIds) await wake(jobId);
  };
  // One write at a time, in order; a failure is logged and the next connects go on.
  const enqueue = (what: string, task: () => Promise<void>) => {
    work = work.then(task).catch((err: unknown) => log.error({ err }, `Waking the jobs waiting for devices (${what}) failed`));
  };
  const flush = () => {
    timer = undefined;
    lastFlushAt = performance.now();
    const deviceIds = [...heard];
    heard = new Set();
    enqueue('connects', async () => signalJobs(await store.wakeWaitingDevices(deviceIds)));
  };
  const sweep = () => enqueue('connected devices', async () => signalJobs(await store.wakeConnectedDevices()));

  const stopListening = await events.listen((deviceIds) => {
    for (const deviceId of deviceIds) heard.add(deviceId);
    timer ??= setTimeout(flush, Math.max(0, lastFlushAt + intervalMs - performance.now()));
  }, sweep);
  sweep();
  return async () => {
    await stopListening();
    clearTimeout(timer);
    await work;
  };
}
