import { z } from 'zod';
import { DEFAULT_JOBS_SETTINGS, type JobsSettingsInput } from '../jobs/settings.js';
import { LOG_LEVELS, type LogFormat, type LogLevel } from '../logger.js';
import { describeIssues, port, SettingsError, wholeNumber } from './settings.js';

/** What a hub process runs (HUB_ROLES). A cluster runs many of each against one Temporal, PostgreSQL and Redis. */
export const ROLE_NAMES = ['api', 'worker', 'gateway'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];
export type Roles = Record<RoleName, boolean>;

export interface RunSettings {
  roles: Roles;
  temporal: {
    /** A Temporal server to use; undefined: start the embedded temporal-lite. */
    address?: string;
    namespace: string;
    /** Port of the embedded temporal-lite. */
    embeddedPort: number;
    /** Port of the embedded temporal-lite's Web UI (0: any free port); undefined: no UI. */
    uiPort?: number;
    /** Whether the Web UI may terminate, cancel, signal and reset workflows. */
    uiWriteActions: boolean;
    /** A Temporal Web UI the console links jobs to (without a trailing /); undefined: the embedded one's, if any. */
    uiUrl?: string;
    /** How long to wait at start for `address` and the namespace (ms). */
    connectTimeoutMs: number;
  };
  /** PostgreSQL schema for the hub's tables. */
  databaseSchema?: string;
  /** Where the worker keeps its bundled workflow code; undefined: `<data dir>/cache`. */
  cacheDir?: string;
  /** Overrides of the jobs engine's fan-out (shards, batches) per job type. */
  jobTuning?: JobsSettingsInput['tuning'];
  log: { level: LogLevel; format: LogFormat };
  /** /healthz, /readyz, /metrics: on a port of their own (undefined: the HTTP port), /metrics behind a policy. */
  ops: { port?: number; metricsPolicy?: string };
}

const unset = (value: unknown) => (value === '' ? undefined : value);

const roles = z.string().transform((text, ctx) => {
  const names = text.split(',').map((name) => name.trim().toLowerCase());
  const unknown = names.filter((name) => !(ROLE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of ${ROLE_NAMES.join(', ')}` });
    return z.NEVER;
  }
  return Object.fromEntries(ROLE_NAMES.map((role) => [role, names.includes(role)])) as Roles;
});

const TUNING_FIELDS = Object.keys(DEFAULT_JOBS_SETTINGS.tuning.scheduleDeviceMethod);
const tuningMessage = `expected JSON like {"scheduleDeviceMethod":{"batchSize":50}} (job types scheduleDeviceMethod, scheduleUpdateTwin; fields ${TUNING_FIELDS.join(', ')}; whole numbers from 1)`;
const tuningFields = z.strictObject(Object.fromEntries(TUNING_FIELDS.map((field) => [field, z.number().int().min(1).optional()])));
const tuningSchema = z.strictObject({ scheduleDeviceMethod: tuningFields.optional(), scheduleUpdateTwin: tuningFields.optional() });
const jobTuning = z.string().transform((text, ctx) => {
  let parsed;
  try {
    parsed = tuningSchema.safeParse(JSON.parse(text));
  } catch {
    ctx.addIssue({ code: 'custom', message: tuningMessage });
    return z.NEVER;
  }
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  ctx.addIssue({ code: 'custom', message: `${tuningMessage}; ${issue.path.join('.') || 'value'}: ${issue.message}` });
  return z.NEVER;
});

/** A port, or `off` (undefined). */
const portOrOff = (fallback: number) =>
  z.preprocess(
    (value) => unset(value) ?? String(fallback),
    z
      .string()
      .regex(/^(\d{1,5}|off)$/i, 'expected a port number 0-65535, or off')
      .transform((text) => (text.toLowerCase() === 'off' ? undefined : Number(text)))
      .refine((value) => value === undefined || value <= 65535, 'expected a port number 0-65535, or off'),
  );

const flag = z.preprocess(
  unset,
  z
    .enum(['true', 'false'], { error: 'expected true or false' })
    .transform((text) => text === 'true')
    .default(false),
);

const runSchema = z.object({
  HUB_ROLES: z.preprocess(unset, roles.prefault(ROLE_NAMES.join(','))),
  TEMPORAL_ADDRESS: z.preprocess(
    unset,
    z
      .string()
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, e.g. temporal:7233')
      .optional(),
  ),
  HUB_TEMPORAL_PORT: port(7233),
  HUB_TEMPORAL_UI_PORT: portOrOff(8233),
  HUB_TEMPORAL_UI_WRITE_ACTIONS: flag,
  HUB_TEMPORAL_UI_URL: z.preprocess(
    unset,
    z
      .string()
      .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'expected an http:// or https:// URL, e.g. https://temporal.example.com')
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  ),
  // The gateway and the jobs read these too; checked here first, in the words of the other settings.
  HUB_MQTTS_PORT: port(8883),
  HUB_MQTT_WSS_PORT: port(0),
  HUB_MAX_ACTIVE_JOBS: wholeNumber(100, 1_000_000, 'expected a whole number from 1').refine((value) => value >= 1, 'expected a whole number from 1'),
  HUB_JOB_RETENTION_DAYS: wholeNumber(30, 36_500, 'expected a whole number of days from 1').refine(
    (value) => value >= 1,
    'expected a whole number of days from 1',
  ),
  HUB_RECONNECT_GRACE_SECONDS: wholeNumber(60, 86_400, 'expected whole seconds 0-86400'),
  TEMPORAL_NAMESPACE: z.preprocess(
    unset,
    z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/, 'expected a namespace name (letters, digits, . _ -)')
      .default('default'),
  ),
  TEMPORAL_CONNECT_TIMEOUT: wholeNumber(60, 3600, 'expected whole seconds 0-3600'),
  HUB_DATABASE_SCHEMA: z.preprocess(
    unset,
    z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'expected a schema name (letters, digits, underscores)')
      .optional(),
  ),
  HUB_JOB_TUNING: z.preprocess(unset, jobTuning.optional()),
  HUB_CACHE_DIR: z.preprocess(unset, z.string().optional()),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === 'string' ? unset(value.toLowerCase()) : value),
    z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  HUB_LOG_FORMAT: z.preprocess(unset, z.enum(['auto', 'json', 'readable'], { error: 'expected auto, json or readable' }).default('auto')),
  HUB_METRICS_PORT: z.preprocess(
    unset,
    z
      .string()
      .regex(/^\d{1,5}$/, 'expected a port number 0-65535')
      .transform(Number)
      .refine((value) => value <= 65535, 'expected a port number 0-65535')
      .optional(),
  ),
  HUB_METRICS_POLICY: z.preprocess(
    unset,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a shared access policy name')
      .optional(),
  ),
});

/** The process-level settings; a bad value throws SettingsError naming its variable. */
export function loadRunSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  const parsed = runSchema.safeParse(env);
  if (!parsed.success) throw new SettingsError(describeIssues(parsed.error.issues, env));
  const s = parsed.data;
  return {
    roles: s.HUB_ROLES,
    temporal: {
      address: s.TEMPORAL_ADDRESS,
      namespace: s.TEMPORAL_NAMESPACE,
      embeddedPort: s.HUB_TEMPORAL_PORT,
      uiPort: s.HUB_TEMPORAL_UI_PORT,
      uiWriteActions: s.HUB_TEMPORAL_UI_WRITE_ACTIONS,
      uiUrl: s.HUB_TEMPORAL_UI_URL,
      connectTimeoutMs: s.TEMPORAL_CONNECT_TIMEOUT * 1000,
    },
    databaseSchema: s.HUB_DATABASE_SCHEMA,
    cacheDir: s.HUB_CACHE_DIR,
    jobTuning: s.HUB_JOB_TUNING as JobsSettingsInput['tuning'],
    log: { level: s.LOG_LEVEL, format: s.HUB_LOG_FORMAT },
    ops: { port: s.HUB_METRICS_PORT, metricsPolicy: s.HUB_METRICS_POLICY },
  };
}

export const roleList = (roles: Roles): string => ROLE_NAMES.filter((role) => roles[role]).join(',');
