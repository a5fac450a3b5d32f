import { z } from 'zod';
import { HubError } from '../errors/hub-error.js';
import { isJsonObject } from '../registry/json.js';
import { rolloutInconsistency } from '../../workflows/rollout-settings.js';
import { FAILURE_TYPE_CRITERIA, type Rollout } from '../../workflows/rollout-types.js';
import type { JobPatch } from '../../workflows/types.js';

/** AWS IoT Jobs' limits where it has them (maximumPerMinute 1–1000 there; this hub goes to 100,000). */
export const MAX_DEVICES_PER_MINUTE = 100_000;
export const MAX_RETRIES = 10;
/** 30 days. */
export const MAX_OFFLINE_WAIT_SECONDS = 30 * 24 * 3600;
const MAX_BACKOFF_SECONDS = 24 * 3600;

const integer = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).int('must be an integer').min(min, `must be between ${min} and ${max}`).max(max, `must be between ${min} and ${max}`);
const between = (min: number, max: number, { exclusiveMin = false } = {}) =>
  z
    .number({ error: 'must be a number' })
    .refine((n) => (exclusiveMin ? n > min : n >= min) && n <= max, `must be ${exclusiveMin ? 'over' : 'at least'} ${min} and at most ${max}`);
const failureType = z.enum(['offline', 'timedOut', 'errorStatus', 'all'], { error: `must be one of ${FAILURE_TYPE_CRITERIA.join(', ')}` });
const list = <T extends z.ZodType<{ failureType: string }>>(item: T, max: number) =>
  z
    .array(item, { error: 'must be a list' })
    .min(1, 'must list at least one criterion')
    .max(max, `must list at most ${max} criteria`)
    .refine((items) => new Set(items.map((c) => c.failureType)).size === items.length, 'must not list a failureType twice');

const exponentialRate = z.strictObject({
  baseRatePerMinute: integer(1, MAX_DEVICES_PER_MINUTE),
  incrementFactor: between(1, 5, { exclusiveMin: true }),
  rateIncreaseCriteria: z.union(
    [z.strictObject({ numberOfNotifiedDevices: integer(1, 1_000_000_000) }), z.strictObject({ numberOfSucceededDevices: integer(1, 1_000_000_000) })],
    { error: 'must be either {numberOfNotifiedDevices} or {numberOfSucceededDevices}' },
  ),
});

const abortCriterion = z.strictObject({
  failureType,
  thresholdPercentage: z.number({ error: 'must be a number' }).refine((n) => n > 0 && n <= 100, 'must be between 0 and 100'),
  minNumberOfExecutedDevices: integer(1, 1_000_000_000),
  action: z.literal('cancel', { error: "must be 'cancel'" }),
});

const retry = z
  .strictObject({
    criteria: list(z.strictObject({ failureType, numberOfRetries: integer(0, MAX_RETRIES) }), FAILURE_TYPE_CRITERIA.length),
    backoff: z.strictObject({
      initialIntervalInSeconds: integer(1, MAX_BACKOFF_SECONDS),
      backoffCoefficient: between(1, 10),
      maximumIntervalInSeconds: integer(1, MAX_BACKOFF_SECONDS),
    }),
  })
  .refine((r) => r.backoff.maximumIntervalInSeconds >= r.backoff.initialIntervalInSeconds, {
    message: 'must not be under initialIntervalInSeconds',
    path: ['backoff', 'maximumIntervalInSeconds'],
  });

const fields = {
  maxDevicesPerMinute: integer(1, MAX_DEVICES_PER_MINUTE),
  exponentialRate,
  abortCriteria: list(abortCriterion, FAILURE_TYPE_CRITERIA.length),
  retry,
  waitForOfflineDevicesInSeconds: integer(0, MAX_OFFLINE_WAIT_SECONDS),
};

export const rolloutSchema = z.strictObject({
  maxDevicesPerMinute: fields.maxDevicesPerMinute.optional(),
  exponentialRate: fields.exponentialRate.optional(),
  abortCriteria: fields.abortCriteria.optional(),
  retry: fields.retry.optional(),
  waitForOfflineDevicesInSeconds: fields.waitForOfflineDevicesInSeconds.optional(),
});

export const rolloutPatchSchema = z.strictObject({
  maxDevicesPerMinute: fields.maxDevicesPerMinute.nullish(),
  exponentialRate: fields.exponentialRate.nullish(),
  abortCriteria: fields.abortCriteria.nullish(),
  retry: fields.retry.nullish(),
  waitForOfflineDevicesInSeconds: fields.waitForOfflineDevicesInSeconds.nullish(),
});

/** maxExecutionTimeInSeconds at most (a 32-bit signed integer, as IoT Hub takes it). */
export const MAX_EXECUTION_SECONDS_LIMIT = 2 ** 31 - 1;

/** A PATCH body: what the route validates and what the API's description shows. */
export const jobPatchSchema = z
  .strictObject({ rollout: rolloutPatchSchema.optional(), maxExecutionTimeInSeconds: integer(1, MAX_EXECUTION_SECONDS_LIMIT).optional() })
  .refine((patch) => patch.rollout !== undefined || patch.maxExecutionTimeInSeconds !== undefined, 'must change rollout or maxExecutionTimeInSeconds');

/** `rollout.abortCriteria[0].thresholdPercentage`. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : at === '' ? String(key) : `${at}.${String(key)}`), '');
}

/** Parses `value` (the body's `what`) with `schema`; the first problem becomes a 400 ArgumentInvalid naming its field's path. */
function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: { name: string; path: readonly string[] }): T {
  if (!isJsonObject(value)) throw new HubError('ArgumentInvalid', `${what.name} must be a JSON object`);
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const path = [...what.path, ...issue.path, issue.keys[0]!];
    const kind = path.length > 1 ? 'a rollout setting' : 'a field of a job patch (rollout, maxExecutionTimeInSeconds)';
    throw new HubError('ArgumentInvalid', `${pathOf(path)} is not ${kind}`);
  }
  // Objects the schema gives no message of its own (absent or not an object).
  const message = issue.code === 'invalid_type' && issue.expected === 'object' ? 'must be a JSON object' : issue.message;
  const at = pathOf([...what.path, ...issue.path]);
  throw new HubError('ArgumentInvalid', `${at === '' ? what.name : at} ${message}`);
}

/** The `rollout` of a PUT body, validated. */
export function parseRollout(value: unknown, method: boolean): Rollout {
  const rollout: Rollout = parseWith(rolloutSchema, value, { name: 'rollout', path: ['rollout'] });
  const inconsistency = rolloutInconsistency(rollout, method);
  if (inconsistency) throw new HubError('ArgumentInvalid', inconsistency);
  return rollout;
}

/**
 * A PATCH body, validated with jobPatchSchema: null removes a rollout setting (the workflow checks
 * the settings it ends up with against the job: rolloutInconsistency).
 */
export function parseJobPatchBody(body: unknown): JobPatch {
  return parseWith(jobPatchSchema, body, { name: 'The job patch', path: [] });
}
