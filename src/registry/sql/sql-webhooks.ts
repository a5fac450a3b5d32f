import { HubError } from '../../errors/hub-error.js';
import type { StoredWebhook, Webhook, WebhookDeliveryRecord, WebhookInput } from '../../webhooks/model.js';
import { decodeJsonColumn } from '../json.js';
import type { DeviceJobError, SeqRange } from '../job-records.js';
import type { SqlDriver } from './driver.js';

/** Hooks per hub: each is read on every job event, so a small number. */
export const MAX_WEBHOOKS = 100;

/** A failed device of a job, as a devicesFailed event lists it. */
export interface FailedDevice {
  deviceId: string;
  error?: DeviceJobError;
}

function statements(dialect: SqlDriver['dialect']) {
  const failed =
    dialect === 'sqlite' ? `json_set(doc, '$.status', 'failed', '$.lastError', $3)` : `doc || jsonb_build_object('status', 'failed', 'lastError', $3::text)`;
  return {
    select: `SELECT doc, secret FROM webhooks WHERE hook_id = $1`,
    list: `SELECT doc, secret FROM webhooks ORDER BY hook_id LIMIT ${MAX_WEBHOOKS}`,
    count: `SELECT count(*) AS n FROM webhooks`,
    upsert: `INSERT INTO webhooks (hook_id, doc, secret) VALUES ($1, $2, $3)
             ON CONFLICT (hook_id) DO UPDATE SET doc = excluded.doc, secret = excluded.secret`,
    delete: `DELETE FROM webhooks WHERE hook_id = $1`,
    deleteDeliveries: `DELETE FROM webhook_deliveries WHERE hook_id = $1`,
    upsertDelivery: `INSERT INTO webhook_deliveries (hook_id, delivery_id, last_attempt, doc) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (hook_id, delivery_id) DO UPDATE SET last_attempt = excluded.last_attempt, doc = excluded.doc`,
    selectDelivery: `SELECT doc FROM webhook_deliveries WHERE hook_id = $1 AND delivery_id = $2`,
    giveUp: `UPDATE webhook_deliveries SET doc = ${failed} WHERE hook_id = $1 AND delivery_id = $2`,
    listDeliveries: `SELECT doc FROM webhook_deliveries WHERE hook_id = $1 ORDER BY last_attempt DESC, delivery_id LIMIT $2`,
    failedInRange: `SELECT device_id, doc FROM device_jobs WHERE job_id = $1 AND seq >= $2 AND seq < $3 AND status = 'failed' ORDER BY seq`,
    purgeDeliveries: `DELETE FROM webhook_deliveries WHERE last_attempt < $1`,
  };
}

const hookOf = (row: { doc: unknown; secret: string }): StoredWebhook => ({ ...decodeJsonColumn<Webhook>(row.doc), secret: row.secret });

/**
 * Webhooks (table `webhooks`: the hook without its secret as JSON, the secret in its own column)
 * and their deliveries (`webhook_deliveries`, one row per event per hook, written at each attempt).
 */
export class SqlWebhooks {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly db: SqlDriver,
    private readonly now: () => string,
  ) {
    this.sql = statements(db.dialect);
  }

  /** Creates or replaces a hook (its createdTime kept); `created` tells which. */
  put(input: WebhookInput): Promise<{ webhook: Webhook; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const [existing] = await tx.query<{ doc: unknown; secret: string }>(this.sql.select, [input.id]);
      if (!existing) {
        const [count] = await tx.query<{ n: number | string }>(this.sql.count);
        if (Number(count?.n ?? 0) >= MAX_WEBHOOKS) throw new HubError('IotHubQuotaExceeded', `The hub keeps at most ${MAX_WEBHOOKS} hooks`);
      }
      const now = this.now();
      const { secret, ...hook } = input;
      const webhook: Webhook = { ...hook, createdTime: existing ? hookOf(existing).createdTime : now, lastUpdatedTime: now };
      await tx.execute(this.sql.upsert, [input.id, JSON.stringify(webhook), secret]);
      return { webhook, created: !existing };
    });
  }

  async get(id: string): Promise<StoredWebhook | undefined> {
    const [row] = await this.db.query<{ doc: unknown; secret: string }>(this.sql.select, [id]);
    return row && hookOf(row);
  }

  async list(): Promise<StoredWebhook[]> {
    return (await this.db.query<{ doc: unknown; secret: string }>(this.sql.list)).map(hookOf);
  }

  /** Deletes a hook with its delivery history; false when there was none. */
  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.execute(this.sql.deleteDeliveries, [id]);
      return (await tx.execute(this.sql.delete, [id])) > 0;
    });
  }

  async recordDelivery(record: WebhookDeliveryRecord): Promise<void> {
    await this.db.execute(this.sql.upsertDelivery, [record.hookId, record.id, record.lastAttemptTime, JSON.stringify(record)]);
  }

  async getDelivery(hookId: string, id: string): Promise<WebhookDeliveryRecord | undefined> {
    const [row] = await this.db.query<{ doc: unknown }>(this.sql.selectDelivery, [hookId, id]);
    return row && decodeJsonColumn<WebhookDeliveryRecord>(row.doc);
  }

  async giveUpDelivery(hookId: string, id: string, error: string): Promise<void> {
    await this.db.execute(this.sql.giveUp, [hookId, id, error]);
  }

  async listDeliveries(hookId: string, top: number): Promise<WebhookDeliveryRecord[]> {
    return (await this.db.query<{ doc: unknown }>(this.sql.listDeliveries, [hookId, top])).map((row) => decodeJsonColumn<WebhookDeliveryRecord>(row.doc));
  }

  /** Deletes delivery records last tried before `before` (hub time); returns how many. */
  purgeDeliveries(before: string): Promise<number> {
    return this.db.execute(this.sql.purgeDeliveries, [before]);
  }

  /** The failed devices of a job's record ranges, in record order. */
  async failedDevices(jobId: string, ranges: readonly SeqRange[]): Promise<FailedDevice[]> {
    const devices: FailedDevice[] = [];
    for (const range of ranges) {
      const rows = await this.db.query<{ device_id: string; doc: unknown }>(this.sql.failedInRange, [jobId, range.from, range.to]);
      for (const row of rows) devices.push({ deviceId: row.device_id, error: decodeJsonColumn<{ error?: DeviceJobError }>(row.doc).error });
    }
    return devices;
  }
}
