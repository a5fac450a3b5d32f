import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { JobType } from '../registry/job-records.js';
import type { JobTuning } from '../../workflows/types.js';

/**
 * Settings of the jobs engine. From the environment (loadJobsSettings):
 *   HUB_MAX_ACTIVE_JOBS      jobs queued, scheduled or running at once (default 100); more → 429
 *   HUB_JOB_RETENTION_DAYS   finished jobs and their device records are kept this long (default 30)
 *   HUB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS  hooks may target private-network addresses (default false)
 *   HUB_WEBHOOKS_CA_FILE     CA certificates (PEM) trusted for hooks' https targets besides the public ones
 *   HUB_RECONNECT_GRACE_SECONDS  how long method jobs wait, after a gateway's restart, for the devices
 *                            it had connected before they count them offline (default 60; 0: none)
 * The tuning (shards, batches) is an option for tests and benchmarks.
 */
export interface JobsSettings {
  maxActiveJobs: number;
  retentionDays: number;
  /** Grace for devices connected when a gateway went down, from its restart (s). */
  reconnectGraceSeconds: number;
  /** How often a worker purges jobs past retention (ms). */
  purgeIntervalMs: number;
  tuning: Record<JobType, JobTuning>;
  webhooks: WebhookSettings;
}

export interface WebhookSettings {
  allowPrivateNetworks: boolean;
  /** Extra CA certificates (PEM text) trusted for https targets. */
  ca?: string;
}

const COMMON_TUNING = { maxShards: 64, progressUpdates: 10, progressIntervalMs: 1000, shardHistoryLimit: 2000, snapshotChunk: 10_000, deviceConcurrency: 250 };

export const DEFAULT_JOBS_SETTINGS: JobsSettings = {
  maxActiveJobs: 100,
  retentionDays: 30,
  reconnectGraceSeconds: 60,
  purgeIntervalMs: 3600_000,
  webhooks: { allowPrivateNetworks: false },
  tuning: {
    // Methods wait on devices: up to 500 devices of a shard in flight (2 batches calling 250 at a
    // time), up to 8 shards at once. Few, large shards and batches: each batch costs workflow tasks
    // on the thread that also serves the devices' traffic, and under that load a task waits tens of
    // ms while its batch's lanes stand idle; a few hundred calls in flight keep the devices as busy
    // as thousands do, for less memory and CPU per call (measured with bench:jobs).
    // A batch tells its progress while devices answer, up to 10 times (at most once a second).
    scheduleDeviceMethod: { ...COMMON_TUNING, shardSize: 5000, shardConcurrency: 8, batchSize: 2500, batchConcurrency: 2, batchProgressUpdates: 10 },
    // Twin updates are store-bound: big batches (one transaction each, so no progress to tell before
    // they commit), two per shard, every shard at once so the store never waits for a workflow task
    // between batches.
    scheduleUpdateTwin: { ...COMMON_TUNING, shardSize: 10_000, shardConcurrency: 64, batchSize: 1000, batchConcurrency: 2, batchProgressUpdates: 0 },
  },
};

export type JobsSettingsInput = Partial<Omit<JobsSettings, 'tuning'>> & { tuning?: Partial<Record<JobType, Partial<JobTuning>>> };

/** Defaults with the given values laid over them (tuning per job type, field by field). */
export function jobsSettings(input: JobsSettingsInput = {}): JobsSettings {
  const { tuning, ...rest } = input;
  const defaults = DEFAULT_JOBS_SETTINGS;
  return {
    ...defaults,
    ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
    tuning: {
      scheduleDeviceMethod: { ...defaults.tuning.scheduleDeviceMethod, ...tuning?.scheduleDeviceMethod },
      scheduleUpdateTwin: { ...defaults.tuning.scheduleUpdateTwin, ...tuning?.scheduleUpdateTwin },
    },
  };
}

const unset = (value: unknown) => (value === '' ? undefined : value);
const positive = z.coerce.number().int('expected a whole number').positive('expected a positive number');

const envSchema = z.object({
  HUB_MAX_ACTIVE_JOBS: z.preprocess(unset, positive.optional()),
  HUB_JOB_RETENTION_DAYS: z.preprocess(unset, positive.optional()),
  HUB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: z.preprocess(unset, z.enum(['true', 'false'], { error: 'expected true or false' }).optional()),
  HUB_WEBHOOKS_CA_FILE: z.preprocess(unset, z.string().optional()),
  HUB_RECONNECT_GRACE_SECONDS: z.preprocess(
    unset,
    z.coerce.number().int('expected a whole number').min(0, 'expected a whole number of seconds from 0').optional(),
  ),
});

export class JobsSettingsError extends Error {}

/** The jobs settings from the environment; a bad value throws naming its variable. */
export function loadJobsSettings(env: NodeJS.ProcessEnv = process.env): JobsSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${String(issue.path[0])}: ${issue.message} (got '${env[String(issue.path[0])]}')`);
    throw new JobsSettingsError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const { HUB_WEBHOOKS_ALLOW_PRIVATE_NETWORKS: allowPrivate, HUB_WEBHOOKS_CA_FILE: caFile } = parsed.data;
  let ca: string | undefined;
  try {
    ca = caFile === undefined ? undefined : readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new JobsSettingsError(`Invalid configuration:\n  HUB_WEBHOOKS_CA_FILE: cannot read ${caFile}: ${(err as Error).message}`);
  }
  return jobsSettings({
    maxActiveJobs: parsed.data.HUB_MAX_ACTIVE_JOBS,
    retentionDays: parsed.data.HUB_JOB_RETENTION_DAYS,
    reconnectGraceSeconds: parsed.data.HUB_RECONNECT_GRACE_SECONDS,
    webhooks: { allowPrivateNetworks: allowPrivate === 'true', ca },
  });
}

/**
 * Temporal keeps a closed job's workflow this long at least: longer than the store keeps the job,
 * so that its id cannot be reused (REJECT_DUPLICATE) while its records are still in the store.
 */
export const temporalRetentionDays = (storeRetentionDays: number): number => storeRetentionDays + 1;
