import type { SqlDialect } from './driver.js';

/**
 * The hub's schema history. Append new versions (never edit an applied one); each runs once, in
 * order, inside the migration transaction. Table contract shared with src/query/: a queryable
 * collection is a table with a unique text key column and a JSON document column —
 *   devices(device_id, row_version, device, twin)  twin = the document GET /twins/{id} returns,
 *                                                   device = the document GET /devices/{id} returns;
 *   device_jobs(job_id, device_id, doc, seq, status) doc = one `devices.jobs` row (written by the jobs
 *                                                   engine; seq/status: see version 2);
 *   modules(device_id, module_id, row_version, module, twin)  twin = one `devices.modules` row
 *                                                   (GET /twins/{id}/modules/{moduleId}).
 * JSON columns are TEXT holding JSON in SQLite and jsonb in PostgreSQL; PostgreSQL keys use the "C"
 * collation so both stores order ids bytewise. `row_version` moves on every write to a device row
 * (optimistic concurrency for read-modify-write updates).
 */
export interface Migration {
  version: number;
  name: string;
  sql: Record<SqlDialect, readonly string[]>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'devices with twins, per-device job records',
    sql: {
      sqlite: [
        `CREATE TABLE devices (
           device_id TEXT PRIMARY KEY,
           row_version INTEGER NOT NULL,
           device TEXT NOT NULL,
           twin TEXT NOT NULL
         )`,
        `CREATE TABLE device_jobs (
           job_id TEXT NOT NULL,
           device_id TEXT NOT NULL,
           doc TEXT NOT NULL,
           PRIMARY KEY (job_id, device_id)
         )`,
        `CREATE INDEX device_jobs_by_device ON device_jobs (device_id)`,
      ],
      postgres: [
        `CREATE TABLE devices (
           device_id TEXT COLLATE "C" PRIMARY KEY,
           row_version BIGINT NOT NULL,
           device JSONB NOT NULL,
           twin JSONB NOT NULL
         )`,
        `CREATE TABLE device_jobs (
           job_id TEXT COLLATE "C" NOT NULL,
           device_id TEXT COLLATE "C" NOT NULL,
           doc JSONB NOT NULL,
           PRIMARY KEY (job_id, device_id)
         )`,
        `CREATE INDEX device_jobs_by_device ON device_jobs (device_id)`,
      ],
    },
  },
  {
    // seq numbers a job's snapshot 0…N-1 (shards and batches are seq ranges); status mirrors
    // doc.status for the engine's range updates and counts. Finished jobs keep their final
    // JobResponse for the retention period (see src/registry/job-records.ts).
    version: 2,
    name: 'job engine: record sequence and status, finished jobs',
    sql: {
      sqlite: [
        `ALTER TABLE device_jobs ADD COLUMN seq INTEGER`,
        `ALTER TABLE device_jobs ADD COLUMN status TEXT`,
        `CREATE UNIQUE INDEX device_jobs_by_seq ON device_jobs (job_id, seq)`,
        `CREATE TABLE finished_jobs (
           job_id TEXT PRIMARY KEY,
           finished_at TEXT NOT NULL,
           response TEXT NOT NULL
         )`,
        `CREATE INDEX finished_jobs_by_time ON finished_jobs (finished_at)`,
      ],
      postgres: [
        `ALTER TABLE device_jobs ADD COLUMN seq INTEGER`,
        `ALTER TABLE device_jobs ADD COLUMN status TEXT`,
        `CREATE UNIQUE INDEX device_jobs_by_seq ON device_jobs (job_id, seq)`,
        `CREATE TABLE finished_jobs (
           job_id TEXT COLLATE "C" PRIMARY KEY,
           finished_at TEXT COLLATE "C" NOT NULL,
           response JSONB NOT NULL
         )`,
        `CREATE INDEX finished_jobs_by_time ON finished_jobs (finished_at)`,
      ],
    },
  },
  {
    // Module identities with their twins; a device's modules are deleted in its delete transaction.
    version: 3,
    name: 'module identities and module twins',
    sql: {
      sqlite: [
        `CREATE TABLE modules (
           device_id TEXT NOT NULL,
           module_id TEXT NOT NULL,
           row_version INTEGER NOT NULL,
           module TEXT NOT NULL,
           twin TEXT NOT NULL,
           PRIMARY KEY (device_id, module_id)
         )`,
      ],
      postgres: [
        `CREATE TABLE modules (
           device_id TEXT COLLATE "C" NOT NULL,
           module_id TEXT COLLATE "C" NOT NULL,
           row_version BIGINT NOT NULL,
           module JSONB NOT NULL,
           twin JSONB NOT NULL,
           PRIMARY KEY (device_id, module_id)
         )`,
      ],
    },
  },
  {
    // Automatic device configurations, and which configuration (at which etag) each device or module
    // twin (target: `{deviceId}` or `{deviceId}/{moduleId}`) has had applied: one per target, the
    // winner by priority. Applying writes the twin and this row in one transaction (idempotent).
    version: 4,
    name: 'automatic device configurations',
    sql: {
      sqlite: [
        `CREATE TABLE configurations (config_id TEXT PRIMARY KEY, row_version INTEGER NOT NULL, doc TEXT NOT NULL)`,
        `CREATE TABLE applied_configurations (target TEXT PRIMARY KEY, config_id TEXT NOT NULL, etag TEXT NOT NULL)`,
        `CREATE INDEX applied_configurations_by_config ON applied_configurations (config_id)`,
      ],
      postgres: [
        `CREATE TABLE configurations (config_id TEXT COLLATE "C" PRIMARY KEY, row_version BIGINT NOT NULL, doc JSONB NOT NULL)`,
        `CREATE TABLE applied_configurations (target TEXT COLLATE "C" PRIMARY KEY, config_id TEXT COLLATE "C" NOT NULL, etag TEXT NOT NULL)`,
        `CREATE INDEX applied_configurations_by_config ON applied_configurations (config_id)`,
      ],
    },
  },
  {
    // Webhooks for job events: the hook (without its secret) as JSON and the secret apart, so no
    // listing can show it; one delivery row per event and hook, rewritten at each attempt.
    version: 5,
    name: 'webhooks and their deliveries',
    sql: {
      sqlite: [
        `CREATE TABLE webhooks (hook_id TEXT PRIMARY KEY, doc TEXT NOT NULL, secret TEXT NOT NULL)`,
        `CREATE TABLE webhook_deliveries (
           hook_id TEXT NOT NULL,
           delivery_id TEXT NOT NULL,
           last_attempt TEXT NOT NULL,
           doc TEXT NOT NULL,
           PRIMARY KEY (hook_id, delivery_id)
         )`,
        `CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (hook_id, last_attempt)`,
      ],
      postgres: [
        `CREATE TABLE webhooks (hook_id TEXT COLLATE "C" PRIMARY KEY, doc JSONB NOT NULL, secret TEXT NOT NULL)`,
        `CREATE TABLE webhook_deliveries (
           hook_id TEXT COLLATE "C" NOT NULL,
           delivery_id TEXT COLLATE "C" NOT NULL,
           last_attempt TEXT COLLATE "C" NOT NULL,
           doc JSONB NOT NULL,
           PRIMARY KEY (hook_id, delivery_id)
         )`,
        `CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (hook_id, last_attempt)`,
      ],
    },
  },
  {
    // Rollout jobs (src/registry/rollout-records.ts): attempts per device, how a finished device
    // failed, the retry queue (status 'retrying' while the document says pending, due at retry_at)
    // and the token of the batch that claimed a record last.
    version: 6,
    name: 'job rollouts: attempts, failure types, retry queue, batch claims',
    sql: {
      sqlite: [
        `ALTER TABLE device_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0`,
        `ALTER TABLE device_jobs ADD COLUMN failure TEXT`,
        `ALTER TABLE device_jobs ADD COLUMN retry_at TEXT`,
        `ALTER TABLE device_jobs ADD COLUMN claim TEXT`,
        `CREATE INDEX device_jobs_by_claim ON device_jobs (job_id, claim)`,
        `CREATE INDEX device_jobs_retrying ON device_jobs (job_id, retry_at) WHERE status = 'retrying'`,
      ],
      postgres: [
        `ALTER TABLE device_jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0`,
        `ALTER TABLE device_jobs ADD COLUMN failure TEXT`,
        `ALTER TABLE device_jobs ADD COLUMN retry_at TEXT COLLATE "C"`,
        `ALTER TABLE device_jobs ADD COLUMN claim TEXT`,
        `CREATE INDEX device_jobs_by_claim ON device_jobs (job_id, claim)`,
        `CREATE INDEX device_jobs_retrying ON device_jobs (job_id, retry_at) WHERE status = 'retrying'`,
      ],
    },
  },
  {
    // When each gateway process started (hub time): a device still recorded Connected from before
    // the latest start was connected when a gateway went down, and gets a grace to come back.
    version: 7,
    name: 'gateway starts',
    sql: {
      sqlite: [`CREATE TABLE gateway_starts (started_at TEXT NOT NULL)`],
      postgres: [`CREATE TABLE gateway_starts (started_at TEXT COLLATE "C" NOT NULL)`],
    },
  },
  {
    // Devices a method job waits for (rollout.waitForOfflineDevicesInSeconds): status 'waiting' (the
    // device is offline) or 'woken' (it connected: to be called), until wait_until (hub time). A
    // record that ever waited keeps wait_until, so its outcome is counted as the wait's. Partial
    // indexes: a connect finds its waiting records by device id, a job its own by job id.
    version: 8,
    name: 'job records waiting for their device',
    sql: {
      sqlite: [
        `ALTER TABLE device_jobs ADD COLUMN wait_until TEXT`,
        `CREATE INDEX device_jobs_waiting_by_device ON device_jobs (device_id) WHERE status = 'waiting'`,
        `CREATE INDEX device_jobs_waited_by_job ON device_jobs (job_id, status, wait_until) WHERE wait_until IS NOT NULL`,
      ],
      postgres: [
        `ALTER TABLE device_jobs ADD COLUMN wait_until TEXT COLLATE "C"`,
        `CREATE INDEX device_jobs_waiting_by_device ON device_jobs (device_id) WHERE status = 'waiting'`,
        `CREATE INDEX device_jobs_waited_by_job ON device_jobs (job_id, status, wait_until) WHERE wait_until IS NOT NULL`,
      ],
    },
  },
];
