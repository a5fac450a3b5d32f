/**
 * The job's events for webhooks, published in order by a local activity (publishJobEvent), which
 * only signals the hooks' delivery workflows: no receiver is ever waited for. `emit` only records
 * an event (the job as it is now), so that any handler can (a pause update: `events.emit('job.paused')`,
 * published by the main line's next `publish()`, e.g. where it waits to be resumed);
 * `publish()` hands over everything recorded so far, one local activity at a time, and is awaited
 * by the workflow's main line only: the order of its commands then depends on the history alone
 * (a publish chained in the background interleaves with other activities differently on replay).
 * A publish that keeps failing is dropped after 3 attempts (well under a second) rather than holding the job.
 * Histories recorded before job events existed replay without them (patch JOB_EVENTS_PATCH).
 */
import { log, patched, proxyLocalActivities } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks.js';
import { errorMessage } from './errors.js';
import type { JobOutcome } from './job-outcome.js';
import type { JobState } from './job-state.js';
import type { JobEventData, JobEventType, JobStateEvent } from './webhook-types.js';

export const JOB_EVENTS_PATCH = 'job-events';

const { publishJobEvent } = proxyLocalActivities<WebhookActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '1 second', maximumAttempts: 3 },
});

export class JobEvents {
  private readonly enabled = patched(JOB_EVENTS_PATCH);
  private readonly recorded: JobStateEvent[] = [];
  private emitted = 0;

  constructor(private readonly state: JobState) {}

  emit(type: JobEventType): void {
    if (!this.enabled) return;
    const { job } = this.state;
    this.emitted += 1;
    this.recorded.push({
      kind: 'job',
      type,
      jobId: job.jobId,
      jobType: job.type,
      sequence: this.emitted,
      time: new Date().toISOString(),
      data: eventData(this.state),
    });
  }

  async publish(): Promise<void> {
    for (let event = this.recorded.shift(); event; event = this.recorded.shift()) {
      try {
        await publishJobEvent(event);
      } catch (err) {
        log.warn(`Job ${event.jobId}: the ${event.type} event was not published`, { error: errorMessage(err) });
      }
    }
  }

  /** emit, then publish. */
  send(type: JobEventType): Promise<void> {
    this.emit(type);
    return this.publish();
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
