/**
 * The deliveries of one job's events to one hook (workflow id webhookDeliveryWorkflowId), in the
 * order the events were published: each delivery an activity retried with exponential backoff for
 * up to 24 hours, the next one only after it. Device failures are merged into one delivery (at most
 * one a second). The job never waits for any of it: it only signals this workflow (through its
 * publisher). The run ends after the job's last event, or once idle for an hour; its history stays
 * bounded by continuing as new.
 */
import { condition, continueAsNew, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks.js';
import type { SeqRange } from '../src/registry/job-records.js';
import { errorMessage } from './errors.js';
import { jobEventSignal } from './webhook-messages.js';
import type { DevicesFailedEvent, PublishedJobEvent, WebhookDelivery, WebhookDeliveryInput } from './webhook-types.js';

/** Each attempt at most 30 s (the request itself times out sooner); retried for a day, backing off up to an hour. */
const DELIVERY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 hour' },
};

/** The delivery as the Web UI lists it: the job event it carries, or the failed devices it names. */
function deliverySummary(delivery: WebhookDelivery): string {
  return delivery.kind === 'job' ? `deliver ${delivery.event.type}` : `deliver ${delivery.failed} device failures`;
}

const { recordWebhookGaveUp } = proxyLocalActivities<WebhookActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Device-failure deliveries are this far apart at least. */
export const FAILURES_INTERVAL_MS = 1000;
/** A failure delivery merges batches until it names this many failed devices (a batch is never split). */
const FAILURES_PER_DELIVERY = 1000;
/** With nothing to deliver for this long, the run ends (a later event starts another). */
const IDLE_MS = 3600_000;
/** Events per run: a delivery costs ~10 (activity, signals, timer); continue as new well before histories grow large. */
export const DELIVERY_HISTORY_LIMIT = 2000;

const FINAL_TYPES = new Set(['job.completed', 'job.failed', 'job.cancelled']);

export async function webhookDelivery(input: WebhookDeliveryInput): Promise<void> {
  const queue: PublishedJobEvent[] = [...(input.pending ?? [])];
  // A retried publish (e.g. after a worker crash) signals again: each job event and each batch's failures once.
  let lastSequence = input.lastSequence ?? 0;
  const seenBatches = new Set(input.seenBatches ?? []);
  let failureDeliveries = input.failureDeliveries ?? 0;
  setHandler(jobEventSignal, (event) => {
    if (event.kind === 'job') {
      if (event.sequence <= lastSequence) return;
      lastSequence = event.sequence;
    } else {
      if (seenBatches.has(event.range.from)) return;
      seenBatches.add(event.range.from);
    }
    queue.push(event);
  });
  let lastFailuresAt = 0;
  let ended = false;

  while (!ended && workflowInfo().historyLength < DELIVERY_HISTORY_LIMIT) {
    if (!(await condition(() => queue.length > 0, IDLE_MS))) return;
    let delivery: WebhookDelivery;
    if (queue[0]!.kind === 'devicesFailed') {
      const wait = lastFailuresAt + FAILURES_INTERVAL_MS - Date.now();
      if (wait > 0) await sleep(wait); // more batches may fail meanwhile: they join this delivery
      delivery = mergeFailures(input.jobId, queue, ++failureDeliveries);
    } else {
      const event = queue.shift() as Extract<PublishedJobEvent, { kind: 'job' }>;
      delivery = { kind: 'job', id: `${event.jobId}.${event.sequence}.${event.type}`, event };
      ended = FINAL_TYPES.has(event.type);
    }
    try {
      const { deliverWebhook } = proxyActivities<WebhookActivities>({ ...DELIVERY_OPTIONS, summary: deliverySummary(delivery) });
      await deliverWebhook({ hookId: input.hookId, delivery });
    } catch (err) {
      await recordWebhookGaveUp({ hookId: input.hookId, deliveryId: delivery.id, error: errorMessage(err) });
    }
    // Counted from the end of a delivery, so that receivers see them a second apart at least.
    if (delivery.kind === 'devicesFailed') lastFailuresAt = Date.now();
  }
  if (ended && queue.length === 0) return;
  await continueAsNew<typeof webhookDelivery>({
    hookId: input.hookId,
    jobId: input.jobId,
    pending: queue,
    lastSequence,
    seenBatches: [...seenBatches],
    failureDeliveries,
  });
}

/** The device failures at the head of the queue, as one delivery (taken off the queue). */
function mergeFailures(jobId: string, queue: PublishedJobEvent[], sequence: number): WebhookDelivery {
  const ranges: SeqRange[] = [];
  let failed = 0;
  let first: DevicesFailedEvent | undefined;
  while (queue[0]?.kind === 'devicesFailed' && failed < FAILURES_PER_DELIVERY) {
    const event = queue.shift() as DevicesFailedEvent;
    first ??= event;
    ranges.push(event.range);
    failed += event.failed;
  }
  return { kind: 'devicesFailed', id: `${jobId}.devicesFailed.${sequence}`, jobId, jobType: first!.jobType, time: first!.time, ranges, failed };
}
