import { z } from 'zod';
import { JOB_TYPES, type JobType } from '../../workflows/types.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../workflows/webhook-types.js';

/** Hook ids: as job ids, at most 64 ASCII letters, digits and '-' (they are part of workflow ids). */
export const WEBHOOK_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Which jobs a hook hears about (all when absent). */
export interface WebhookJobFilter {
  jobType?: JobType;
  /** Jobs whose id starts with this. */
  jobIdPrefix?: string;
}

/** A hook as the API shows it: never its secret. */
export interface Webhook {
  id: string;
  url: string;
  events: WebhookEventType[];
  jobFilter?: WebhookJobFilter;
  createdTime: string;
  lastUpdatedTime: string;
}

/** A hook as stored, with the secret its deliveries are signed with. */
export interface StoredWebhook extends Webhook {
  secret: string;
}

export type WebhookInput = Omit<StoredWebhook, 'createdTime' | 'lastUpdatedTime'>;

/** One delivery to a hook, as GET /hooks/{id}/deliveries lists it. */
export interface WebhookDeliveryRecord {
  /** The CloudEvent's id (also the webhook-id header). */
  id: string;
  hookId: string;
  jobId: string;
  type: WebhookEventType;
  /** pending: being tried (again); delivered: a 2xx answer; failed: given up after 24 hours. */
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** The receiver's last HTTP status, if it answered. */
  statusCode?: number;
  lastError?: string;
  firstAttemptTime: string;
  lastAttemptTime: string;
}

const eventType = z.enum(WEBHOOK_EVENT_TYPES, {
  error: (issue) => `unknown event type ${JSON.stringify(issue.input)}: expected one of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
});

/** The body of PUT /hooks/{id}. */
export const webhookBody = z.strictObject({
  id: z.string().optional(),
  url: z.string({ error: 'url is required' }).max(2048, 'url must be at most 2048 characters'),
  events: z.array(eventType, { error: 'events is required: a list of event types' }).min(1, 'events must name at least one event type'),
  jobFilter: z
    .strictObject({
      jobType: z.enum(JOB_TYPES, { error: `expected ${JOB_TYPES.join(' or ')}` }).optional(),
      jobIdPrefix: z.string().max(64, 'jobIdPrefix must be at most 64 characters').optional(),
    })
    .optional(),
  secret: z
    .string({ error: 'secret is required: the key deliveries are signed with' })
    .min(16, 'secret must be at least 16 characters')
    .max(256, 'secret must be at most 256 characters'),
});

/** What GET /hooks/{id} answers (documentation: the API's OpenAPI document). */
export const webhookSchema = webhookBody.omit({ secret: true }).extend({
  id: z.string(),
  createdTime: z.string(),
  lastUpdatedTime: z.string(),
});

export const webhookDeliverySchema = z.object({
  id: z.string(),
  hookId: z.string(),
  jobId: z.string(),
  type: eventType,
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  statusCode: z.number().int().optional(),
  lastError: z.string().optional(),
  firstAttemptTime: z.string(),
  lastAttemptTime: z.string(),
});

/** Whether the hook wants this event of this job. */
export function wantsEvent(hook: Webhook, type: WebhookEventType, job: { jobId: string; jobType: JobType }): boolean {
  if (!hook.events.includes(type)) return false;
  const filter = hook.jobFilter;
  if (filter?.jobType !== undefined && filter.jobType !== job.jobType) return false;
  return filter?.jobIdPrefix === undefined || job.jobId.startsWith(filter.jobIdPrefix);
}
