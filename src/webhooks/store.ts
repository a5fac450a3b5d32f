import type { SeqRange } from '../registry/job-records.js';
import type { FailedDevice } from '../registry/sql/sql-webhooks.js';
import type { StoredWebhook, Webhook, WebhookDeliveryRecord, WebhookInput } from './model.js';

/** The webhook part of the HubStore (implemented in src/registry/sql/sql-webhooks.ts). */
export interface WebhookStore {
  /** Creates or replaces a hook; IotHubQuotaExceeded beyond MAX_WEBHOOKS. */
  putWebhook(input: WebhookInput): Promise<{ webhook: Webhook; created: boolean }>;
  /** A hook with its secret (for signing; never for answering). */
  getWebhook(id: string): Promise<StoredWebhook | undefined>;
  /** Every hook (at most MAX_WEBHOOKS), in id order, with secrets. */
  listWebhooks(): Promise<StoredWebhook[]>;
  /** Deletes a hook and its delivery history; false when there was no such hook. */
  deleteWebhook(id: string): Promise<boolean>;
  /** Writes a delivery's state (one row per hook and delivery id, replaced at each attempt). */
  recordWebhookDelivery(record: WebhookDeliveryRecord): Promise<void>;
  getWebhookDelivery(hookId: string, id: string): Promise<WebhookDeliveryRecord | undefined>;
  /** A delivery given up on (after its 24 hours of retries). */
  giveUpWebhookDelivery(hookId: string, id: string, error: string): Promise<void>;
  /** A hook's deliveries, last attempted first, at most `top`. */
  listWebhookDeliveries(hookId: string, top: number): Promise<WebhookDeliveryRecord[]>;
  /** Deletes delivery records last attempted before `before` (hub time); returns how many. */
  purgeWebhookDeliveries(before: string): Promise<number>;
  /** The failed device records of a job's ranges, in record order (for a devicesFailed event). */
  failedDeviceJobs(jobId: string, ranges: readonly SeqRange[]): Promise<FailedDevice[]>;
}
