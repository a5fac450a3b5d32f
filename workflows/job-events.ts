/**
 * The job's events for webhooks, published in order by a local activity (publishJobEvent), which
 * only signals the hooks' delivery workflows: no receiver is ever waited for. `emit` is synchronous
 * so that any handler can publish (e.g. `events.emit('job.paused')`); `published()` waits until
 * every event emitted so far was handed over (the job does before it completes). A publish that
 * keeps failing is dropped after a few attempts rather than holding the job. Histories recorded
 * before job events existed replay without them (patch JOB_EVENTS_PATCH).
 */
import { log, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks.js';
import { errorMessage } from './errors.js';
import type { JobOutcome } from './job-outcome.js';
import type { JobState } from './job-state.js';
import type { JobEventData, JobEventType } from './webhook-types.js';

export const JOB_EVENTS_PATCH = 'job-events';

const { publishJobEvent } = proxyLocalActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 5 },
});

export class JobEvents {
  private readonly enabled = patched(JOB_EVENTS_PATCH);
  private publishing: Promise<void> = Promise.resolve();

  constructor(private readonly state: JobState) {}

  emit(type: JobEventType): void {
    if (!this.enabled) return;
    const { job } = this.state;
    const event = { kind: 'job' as const, type, jobId: job.jobId, jobType: job.type, time: new Date().toISOString(), data: eventData(this.state) };
    this.publishing = this.publishing.then(() =>
      publishJobEvent(event).catch((err: unknown) => log.warn(`Job ${job.jobId}: the ${type} event was not published`, { error: errorMessage(err) })),
    );
  }

  published(): Promise<void> {
    return this.publishing;
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
