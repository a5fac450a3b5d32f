/**
 * Job events for webhooks: the event types a hook can ask for, what the job workflow and the batch
 * activities publish, and what a hook's delivery workflow queues. Types and pure data only: this
 * file is bundled into the deterministic workflow code.
 */
import type { JobType, SeqRange } from '../src/registry/job-records.js';
import type { DeviceJobStatistics, JobStatus } from './types.js';

/** One event per job state change; `job.devicesFailed` batches device failures (at most one delivery a second). */
export const JOB_EVENT_TYPES = [
  'job.created',
  'job.scheduled',
  'job.started',
  'job.paused',
  'job.resumed',
  'job.completed',
  'job.failed',
  'job.cancelled',
] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];
export const DEVICES_FAILED_EVENT = 'job.devicesFailed';
export const WEBHOOK_EVENT_TYPES = [...JOB_EVENT_TYPES, DEVICES_FAILED_EVENT] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_DELIVERY_WORKFLOW = 'webhookDelivery';

/** The job as an event tells it: its JobResponse without the operation's content (payloads stay out of histories). */
export interface JobEventData {
  jobId: string;
  type: JobType;
  status: JobStatus;
  queryCondition: string;
  createdTime: string;
  startTime: string;
  endTime?: string;
  failureReason?: string;
  statusMessage?: string;
  deviceJobStatistics?: DeviceJobStatistics;
  /** A method job's method. */
  methodName?: string;
}

/** A job's change of state, as the job workflow publishes it. */
export interface JobStateEvent {
  kind: 'job';
  type: JobEventType;
  jobId: string;
  jobType: JobType;
  /** 1, 2, … in the order the job emitted its events: receivers' ids, and duplicates (a retried publish) dropped. */
  sequence: number;
  /** When it happened (ISO 8601, workflow time). */
  time: string;
  data: JobEventData;
}

/**
 * Devices of one batch failed (published by the batch activity once its outcomes are written). The
 * devices are read from the store when delivered, so histories carry ranges, not device lists.
 */
export interface DevicesFailedEvent {
  kind: 'devicesFailed';
  jobId: string;
  jobType: JobType;
  time: string;
  range: SeqRange;
  failed: number;
}

export type PublishedJobEvent = JobStateEvent | DevicesFailedEvent;

/** What one delivery sends: a job event, or the failures of one or more batches merged. */
export type WebhookDelivery =
  | { kind: 'job'; id: string; event: JobStateEvent }
  | { kind: 'devicesFailed'; id: string; jobId: string; jobType: JobType; time: string; ranges: SeqRange[]; failed: number };

export interface WebhookDeliveryInput {
  hookId: string;
  jobId: string;
  /** Carried over by continue-as-new: events not delivered yet, the last job event and the batches seen, deliveries made so far. */
  pending?: PublishedJobEvent[];
  lastSequence?: number;
  seenBatches?: number[];
  failureDeliveries?: number;
}

export interface DeliveryResult {
  /** `dropped`: the hook is gone (or no longer wants the event). */
  outcome: 'delivered' | 'dropped';
  statusCode?: number;
}

/** Workflow id of the deliveries of one job's events to one hook (hook ids and job ids have no ':'). */
export const webhookDeliveryWorkflowId = (hookId: string, jobId: string): string => `webhook:${hookId}:${jobId}`;
