import type { WebhookDeliveryRecord, Webhook } from '../webhooks/model.js';
import type { JobResponse } from '../../workflows/types.js';

/** REST paths and the response shapes the CLI reads (IoT Hub's field names). */

export const devicePath = (deviceId: string): string => `/devices/${encodeURIComponent(deviceId)}`;
export const twinPath = (deviceId: string): string => `/twins/${encodeURIComponent(deviceId)}`;
export const jobPath = (jobId: string): string => `/jobs/v2/${encodeURIComponent(jobId)}`;
export const hookPath = (hookId: string): string => `/hooks/${encodeURIComponent(hookId)}`;

export interface DeviceJson {
  deviceId: string;
  status?: string;
  connectionState?: string;
  lastActivityTime?: string;
  authentication?: { symmetricKey?: { primaryKey?: string; secondaryKey?: string } };
}

/** A job as the hub sends it; `status` stays a string, as other hubs may send other values (e.g. enqueued). */
export type JobJson = Omit<Partial<JobResponse>, 'jobId' | 'status'> & { jobId: string; status: string };

/** A job in one of these states does not change any more. */
export const FINAL_JOB_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

export type WebhookJson = Webhook;
export type WebhookDeliveryJson = WebhookDeliveryRecord;
