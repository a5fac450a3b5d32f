/**
 * The webhook activities: publishing a job's events (a local activity of the job workflow, which
 * only signals delivery workflows) and delivering them (the delivery workflow's activity: one signed
 * POST per attempt, its outcome written to the delivery history at each attempt).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../src/logger.js';
import { cloudEventOf } from '../src/webhooks/cloud-event.js';
import { wantsEvent, type WebhookDeliveryRecord } from '../src/webhooks/model.js';
import { postDelivery } from '../src/webhooks/post.js';
import type { JobEventPublisher } from '../src/webhooks/publisher.js';
import { signedHeaders } from '../src/webhooks/signature.js';
import type { WebhookStore } from '../src/webhooks/store.js';
import type { WebhookSettings } from '../src/jobs/settings.js';
import { errorMessage } from '../workflows/errors.js';
import { DEVICES_FAILED_EVENT, type DeliveryResult, type JobStateEvent, type WebhookDelivery } from '../workflows/webhook-types.js';

/** One attempt's request, connect to answer (the activity's start-to-close timeout is longer). */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface WebhookActivityDeps {
  store: Pick<WebhookStore, 'getWebhook' | 'getWebhookDelivery' | 'recordWebhookDelivery' | 'giveUpWebhookDelivery' | 'failedDeviceJobs'>;
  publishJobEvent: JobEventPublisher;
  webhooks: WebhookSettings;
  log: Logger;
  /** Hub time for the delivery history. */
  now: () => string;
}

export function webhookActivities(deps: WebhookActivityDeps) {
  const { store, webhooks, log, now } = deps;
  return {
    async publishJobEvent(event: JobStateEvent): Promise<void> {
      await deps.publishJobEvent(event);
    },

    /** One attempt; throws (to be retried) unless the receiver answered 2xx or the hook is gone. */
    async deliverWebhook({ hookId, delivery }: { hookId: string; delivery: WebhookDelivery }): Promise<DeliveryResult> {
      const hook = await store.getWebhook(hookId);
      const type = delivery.kind === 'job' ? delivery.event.type : DEVICES_FAILED_EVENT;
      const job = delivery.kind === 'job' ? delivery.event : delivery;
      if (!hook || !wantsEvent(hook, type, job)) return { outcome: 'dropped' };
      const failed = delivery.kind === 'devicesFailed' ? await store.failedDeviceJobs(delivery.jobId, delivery.ranges) : [];
      const body = JSON.stringify(cloudEventOf(delivery, failed));
      const attemptTime = now();
      const earlier = await store.getWebhookDelivery(hookId, delivery.id);
      const record: WebhookDeliveryRecord = {
        id: delivery.id,
        hookId,
        jobId: job.jobId,
        type,
        status: 'pending',
        attempts: Context.current().info.attempt,
        firstAttemptTime: earlier?.firstAttemptTime ?? attemptTime,
        lastAttemptTime: attemptTime,
      };
      let statusCode: number;
      try {
        statusCode = await postDelivery(hook.url, body, signedHeaders(hook.secret, delivery.id, body), {
          policy: webhooks,
          ca: webhooks.ca,
          timeoutMs: DELIVERY_TIMEOUT_MS,
        });
      } catch (err) {
        await store.recordWebhookDelivery({ ...record, lastError: errorMessage(err) });
        throw err;
      }
      if (statusCode >= 200 && statusCode < 300) {
        await store.recordWebhookDelivery({ ...record, status: 'delivered', statusCode });
        return { outcome: 'delivered', statusCode };
      }
      const lastError = `The receiver answered ${statusCode}`;
      await store.recordWebhookDelivery({ ...record, statusCode, lastError });
      throw ApplicationFailure.retryable(lastError, 'WebhookRefused');
    },

    /** The delivery ran out of its 24 hours: recorded as failed; the next event goes on. */
    async recordWebhookGaveUp({ hookId, deliveryId, error }: { hookId: string; deliveryId: string; error: string }): Promise<void> {
      log.warn(`Webhook ${hookId}: gave up delivering ${deliveryId}: ${error}`);
      await store.giveUpWebhookDelivery(hookId, deliveryId, error);
    },
  };
}

export type WebhookActivities = ReturnType<typeof webhookActivities>;
