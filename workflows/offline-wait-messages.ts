/**
 * Messages of a job's wait for offline devices (offline-wait.ts), a child workflow of the job whose
 * id is offlineWaitWorkflowId(jobId): the gateway's connect events and the batches wake it, the job
 * tells it when no more devices can start waiting, or to stop; it tells the job its counts.
 */
import { defineSignal } from '@temporalio/workflow';
import type { WaitedDevices } from '../src/registry/device-waits.js';

export const OFFLINE_WAIT_WORKFLOW = 'iotHubJobOfflineWait';

export const offlineWaitWorkflowId = (jobId: string): string => `${jobId}/offline-wait`;

/**
 * Records of the job changed: devices connected (woken records to call) or more devices wait. No
 * device list: the workflow reads the store. Senders coalesce (one per job per short interval).
 */
export const devicesWaitingSignal = defineSignal('devicesWaiting');

/** The job dispatched every device: the wait ends once none waits. */
export const devicesDispatchedSignal = defineSignal('devicesDispatched');

/** The job stopped (cancel, maxExecutionTimeInSeconds): call no more devices; the job closes the records left. */
export const stopWaitingSignal = defineSignal('stopWaiting');

/** The wait's counts (absolute), to the job; a bounded number per job. */
export const waitedDevicesSignal = defineSignal<[WaitedDevices]>('waitedDevices');
