import type { FailedDevice } from '../registry/sql/sql-webhooks.js';
import type { JobType } from '../../workflows/types.js';
import { DEVICES_FAILED_EVENT, type JobEventData, type WebhookDelivery, type WebhookEventType } from '../../workflows/webhook-types.js';

/** A CloudEvents 1.0 event in the JSON format (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md). */
export interface CloudEvent<T> {
  specversion: '1.0';
  id: string;
  /** The job's REST resource. */
  source: string;
  type: WebhookEventType;
  /** The job id. */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: T;
}

export interface DevicesFailedData {
  jobId: string;
  type: JobType;
  failedCount: number;
  devices: Array<{ deviceId: string; errorCode?: string; errorDescription?: string }>;
}

const envelope = (id: string, type: WebhookEventType, jobId: string, time: string) =>
  ({ specversion: '1.0', id, source: `/jobs/v2/${jobId}`, type, subject: jobId, time, datacontenttype: 'application/json' }) as const;

/** The event a delivery sends; a devicesFailed one lists the failed devices of its batches. */
export function cloudEventOf(delivery: WebhookDelivery, failedDevices: readonly FailedDevice[] = []): CloudEvent<JobEventData | DevicesFailedData> {
  if (delivery.kind === 'job') {
    const { event } = delivery;
    return { ...envelope(delivery.id, event.type, event.jobId, event.time), data: event.data };
  }
  const devices = failedDevices.map(({ deviceId, error }) => ({ deviceId, ...(error && { errorCode: error.code, errorDescription: error.description }) }));
  return {
    ...envelope(delivery.id, DEVICES_FAILED_EVENT, delivery.jobId, delivery.time),
    data: { jobId: delivery.jobId, type: delivery.jobType, failedCount: devices.length, devices },
  };
}
