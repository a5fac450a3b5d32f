/**
 * The job's events for webhooks, published in order by an activity (publishJobEvent), which only
 * signals the hooks' delivery workflows: no receiver is ever waited for. Every event takes its
 * sequence number when it happens and is handed over behind the ones before it (one chain).
 *
 * - The main line's events (`send`: created, scheduled, started and the last one) go by a local
 *   activity awaited by the main line: the order of its commands then depends on the history alone
 *   (a local activity chained in the background interleaves with other commands differently on
 *   replay, as its result comes from a marker there).
 * - A pause or a resume (`sendFromHandler`, in its update handler, where it takes effect while the
 *   main line waits elsewhere) goes by a regular activity: its schedule command and its completion
 *   event are in the history, so it may run beside the main line deterministically.
 *
 * A publish that keeps failing is dropped after 3 attempts (well under a second) rather than holding
 * the job. Histories recorded before job events existed replay without them (patch JOB_EVENTS_PATCH),
 * and those recorded before pause and resume events replay without these (JOB_CONTROL_EVENTS_PATCH,
 * checked at the first pause or resume, so that a job never paused keeps its history as it was).
 */
import { log, patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks.js';
import { errorMessage } from './errors.js';
import type { JobOutcome } from './job-outcome.js';
import type { JobState } from './job-state.js';
import type { JobEventData, JobEventType, JobStateEvent } from './webhook-types.js';

export const JOB_EVENTS_PATCH = 'job-events';
export const JOB_CONTROL_EVENTS_PATCH = 'job-control-events';

const PUBLISH_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '1 second', maximumAttempts: 3 },
} as const;
const { publishJobEvent } = proxyLocalActivities<WebhookActivities>(PUBLISH_OPTIONS);
const { publishJobEvent: publishJobEventByTask } = proxyActivities<WebhookActivities>(PUBLISH_OPTIONS);

/** The events an update handler publishes. */
export type ControlEventType = Extract<JobEventType, 'job.paused' | 'job.resumed'>;

export class JobEvents {
  private readonly enabled = patched(JOB_EVENTS_PATCH);
  private emitted = 0;
  /** Every publish so far, each behind the one before. */
  private published: Promise<void> = Promise.resolve();

  constructor(private readonly state: JobState) {}

  /** Publishes the event (the job as it is now) by a local activity; awaited by the main line only. */
  send(type: JobEventType): Promise<void> {
    return this.enqueue(type, publishJobEvent);
  }

  /** Publishes the event by a regular activity (an update handler's: it need not be awaited). */
  sendFromHandler(type: ControlEventType): void {
    if (this.enabled && patched(JOB_CONTROL_EVENTS_PATCH)) void this.enqueue(type, publishJobEventByTask);
  }

  private enqueue(type: JobEventType, publish: (event: JobStateEvent) => Promise<void>): Promise<void> {
    if (!this.enabled) return this.published;
    const event = this.event(type);
    this.published = this.published.then(async () => {
      try {
        await publish(event);
      } catch (err) {
        log.warn(`Job ${event.jobId}: the ${event.type} event was not published`, { error: errorMessage(err) });
      }
    });
    return this.published;
  }

  private event(type: JobEventType): JobStateEvent {
    const { job } = this.state;
    this.emitted += 1;
    return { kind: 'job', type, jobId: job.jobId, jobType: job.type, sequence: this.emitted, time: new Date().toISOString(), data: eventData(this.state) };
  }
}

function eventData(state: JobState): JobEventData {
  const { cloudToDeviceMethod, updateTwin: _updateTwin, ...response } = state.response();
  return { ...response, ...(cloudToDeviceMethod && { methodName: cloudToDeviceMethod.methodName }) };
}

/** The event a job's outcome ends it with (an expiry is a failure, as its status says). */
export function lastEventOf(outcome: JobOutcome): JobEventType {
  if (outcome.kind === 'completed') return 'job.completed';
  if (outcome.kind === 'cancelled') return 'job.cancelled';
  return 'job.failed';
}
