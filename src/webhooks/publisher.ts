import type { Client } from '@temporalio/client';
import { jobEventSignal } from '../../workflows/webhook-messages.js';
import type { webhookDelivery } from '../../workflows/webhook-delivery.js';
import { DEVICES_FAILED_EVENT, WEBHOOK_DELIVERY_WORKFLOW, webhookDeliveryWorkflowId, type PublishedJobEvent } from '../../workflows/webhook-types.js';
import { wantsEvent } from './model.js';
import type { WebhookStore } from './store.js';

/** Hands a job event to the delivery workflow of every hook that wants it. */
export type JobEventPublisher = (event: PublishedJobEvent) => Promise<void>;

/**
 * Through Temporal: signal-with-start of each interested hook's delivery workflow for the job, which
 * queues the event behind the job's earlier ones. Nothing here waits for a receiver.
 */
export function jobEventPublisher(client: Client, store: Pick<WebhookStore, 'listWebhooks'>, taskQueue: string): JobEventPublisher {
  return async (event) => {
    const type = event.kind === 'job' ? event.type : DEVICES_FAILED_EVENT;
    const hooks = (await store.listWebhooks()).filter((hook) => wantsEvent(hook, type, event));
    await Promise.all(
      hooks.map((hook) =>
        client.workflow.signalWithStart<typeof webhookDelivery, [PublishedJobEvent]>(WEBHOOK_DELIVERY_WORKFLOW, {
          workflowId: webhookDeliveryWorkflowId(hook.id, event.jobId),
          taskQueue,
          args: [{ hookId: hook.id, jobId: event.jobId }],
          signal: jobEventSignal,
          signalArgs: [event],
        }),
      ),
    );
  };
}
