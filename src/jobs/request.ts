import { z } from 'zod';
import { parseTwinServiceUpdate, twinBody } from '../api/routes/twins.js';
import { parseInput } from '../api/validate.js';
import { HubError } from '../errors/hub-error.js';
import { methodRequestSchema, parseMethodRequest } from '../gateway/methods/request.js';
import { parseQueryCondition } from '../query/index.js';
import { isJsonObject } from '../registry/json.js';
import { formatHubTime } from '../registry/time.js';
import { assertSectionSize, validateTwinContent } from '../registry/twin/validate.js';
import { withoutNulls } from '../registry/twin/merge.js';
import { JOB_TYPES, type JobDefinition, type JobOperation, type JobPatch, type JobType } from '../../workflows/types.js';
import { MAX_EXECUTION_SECONDS_LIMIT, parseJobPatchBody, parseRollout } from './rollout.js';

/** Job ids: at most 64 US-ASCII letters, digits and '-', as IoT Hub accepts them. */
export const JOB_ID = /^[A-Za-z0-9-]{1,64}$/;
export const DEFAULT_MAX_EXECUTION_SECONDS = 3600;

// The real hub's text for a wrong etag on a twin job.
const FORCE_UPDATE_ETAG =
  "Missing or invalid etag for job type ScheduleUpdateTwin. ScheduleUpdateTwin job type is a force update, which only accepts '*' as the Etag.";

// ISO-8601 date or date-time, optional fraction and offset (Date.parse alone accepts far more).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const jobBody = z.looseObject({
  jobId: z.string().nullish(),
  queryCondition: z.string({ error: 'queryCondition is required (a WHERE condition, or * for all devices)' }).min(1, 'queryCondition must not be empty'),
  startTime: z.string().nullish(),
  maxExecutionTimeInSeconds: z.number().int().min(0).max(MAX_EXECUTION_SECONDS_LIMIT).nullish(),
});

/**
 * The whole PUT /jobs/v2/{id} body as the API's OpenAPI document shows it, made of the schemas that
 * check each part: jobBody (common fields), the job types (parseType), methodRequestSchema
 * (cloudToDeviceMethod) and the twin body (updateTwin, with its forced etag).
 */
export const jobRequestSchema = jobBody.extend({
  type: z.enum(JOB_TYPES),
  cloudToDeviceMethod: methodRequestSchema.optional(),
  updateTwin: twinBody.extend({ etag: z.string().nullish() }).optional(),
});

export function assertJobId(jobId: string): void {
  if (!JOB_ID.test(jobId)) {
    throw new HubError('ArgumentInvalid', `Invalid job id '${jobId.slice(0, 80)}': use at most 64 ASCII letters, digits and '-'`);
  }
}

function parseType(value: unknown): JobType {
  if (JOB_TYPES.includes(value as JobType)) return value as JobType;
  throw new HubError('GenericBadRequest', `Unsupported job type ${JSON.stringify(value) ?? 'undefined'}: expected ${JOB_TYPES.join(' or ')}`);
}

/** null, absent, the past (or C#'s 0001-01-01 default) mean now. */
function parseStartTime(value: string | null | undefined, created: Date, createdTime: string): string {
  if (value === null || value === undefined) return createdTime;
  const at = ISO_8601.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(at)) throw new HubError('ArgumentInvalid', `Invalid startTime '${value}': expected an ISO-8601 date and time`);
  return at > created.getTime() ? formatHubTime(new Date(at)) : createdTime;
}

/** A twin job's patch: forced (etag '*', null or absent), tags and/or desired properties (possibly none). */
function parseUpdateTwin(value: unknown): { echo: Record<string, unknown>; operation: JobOperation } {
  if (!isJsonObject(value)) throw new HubError('ArgumentInvalid', 'updateTwin is required for scheduleUpdateTwin jobs and must be a JSON object');
  const { etag } = value;
  if (etag !== undefined && etag !== null && etag !== '*' && etag !== '"*"') throw new HubError('ArgumentInvalid', FORCE_UPDATE_ETAG);
  const update = parseTwinServiceUpdate(value, 'updateTwin');
  if (update.tags) {
    validateTwinContent('tags', update.tags);
    assertSectionSize('tags', withoutNulls(update.tags) as Record<string, unknown>);
  }
  if (update.desired) {
    validateTwinContent('desired', update.desired);
    assertSectionSize('desired', withoutNulls(update.desired) as Record<string, unknown>);
  }
  // An empty patch is accepted and queued, as IoT Hub does: the job then runs as a no-op on each device.
  return { echo: value, operation: { kind: 'twin', update } };
}

/**
 * Parses a request of each job type once, as the API starts: zod compiles a schema's fast path on
 * its first parse (several ms), which the first job after start-up would otherwise wait for.
 */
export function prepareJobRequestParsing(): void {
  const created = new Date();
  parseJobRequest(
    'prepare',
    {
      type: 'scheduleDeviceMethod',
      queryCondition: "deviceId = 'prepare'",
      cloudToDeviceMethod: { methodName: 'prepare', payload: {}, responseTimeoutInSeconds: 30 },
      rollout: { maxDevicesPerMinute: 60 },
    },
    created,
  );
  parseJobRequest('prepare', { type: 'scheduleUpdateTwin', queryCondition: '*', updateTwin: { properties: { desired: { prepare: 1 } } } }, created);
}

/**
 * Validates a PUT /jobs/v2/{jobId} body into a job definition. Throws HubError 400 for every
 * client mistake (GenericBadRequest for an unknown type, ArgumentInvalid otherwise), so nothing
 * is started for a bad request.
 */
export function parseJobRequest(jobId: string, body: unknown, created: Date): JobDefinition {
  assertJobId(jobId);
  if (!isJsonObject(body)) throw new HubError('ArgumentInvalid', 'The job request must be a JSON object');
  const type = parseType(body.type);
  const fields = parseInput(jobBody, body, 'body');
  if (fields.jobId !== undefined && fields.jobId !== null && fields.jobId !== jobId) {
    throw new HubError('ArgumentInvalid', `The body's jobId '${fields.jobId}' differs from the job id '${jobId}' of the path`);
  }
  parseQueryCondition(fields.queryCondition);
  const createdTime = formatHubTime(created);
  const common = {
    jobId,
    type,
    queryCondition: fields.queryCondition,
    createdTime,
    startTime: parseStartTime(fields.startTime, created, createdTime),
    maxExecutionTimeInSeconds: fields.maxExecutionTimeInSeconds || DEFAULT_MAX_EXECUTION_SECONDS,
    // Only when asked for: an SDK-created job's definition (and JSON) stays as it was.
    ...(body.rollout !== undefined && { rollout: parseRollout(body.rollout, type === 'scheduleDeviceMethod') }),
  };
  if (type === 'scheduleDeviceMethod') {
    const call = parseMethodRequest(body.cloudToDeviceMethod, 'cloudToDeviceMethod');
    return { ...common, operation: { kind: 'method', call }, cloudToDeviceMethod: call };
  }
  const { echo, operation } = parseUpdateTwin(body.updateTwin);
  return { ...common, operation, updateTwin: echo };
}

/** Validates a PATCH body (jobPatchSchema); throws HubError 400 ArgumentInvalid naming the field. */
export function parseJobPatch(jobId: string, body: unknown): JobPatch {
  assertJobId(jobId);
  return parseJobPatchBody(body);
}
