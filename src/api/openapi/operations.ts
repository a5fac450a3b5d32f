/**
 * Every operation of the REST API, with the zod schemas its route validates with (the same
 * objects, imported from the routes), for the OpenAPI document (document.ts). A test checks that
 * this list and the routes the hub mounts are the same.
 */
import { z } from 'zod';
import type { Permission } from '../../auth/policies.js';
import { jobEventsQuery } from '../../console/job-events.js';
import { methodRequestSchema } from '../../gateway/methods/request.js';
import { jobRequestSchema } from '../../jobs/request.js';
import { jobPatchSchema, rolloutSchema } from '../../jobs/rollout.js';
import { webhookBody, webhookDeliverySchema, webhookSchema } from '../../webhooks/model.js';
import { exportImportDevice } from '../routes/bulk-registry.js';
import { configurationBody, configurationsListQuery, contentBody } from '../routes/configurations.js';
import { deviceBody, devicesListQuery } from '../routes/devices.js';
import { deliveriesQuery, hookIdParam } from '../routes/hooks.js';
import { jobListParams } from '../routes/jobs.js';
import { moduleBody } from '../routes/modules.js';
import { pagingHeaders, queryBody } from '../routes/query.js';
import { twinBody } from '../routes/twins.js';

export type HttpMethod = 'get' | 'put' | 'post' | 'patch' | 'delete';

export interface Operation {
  method: HttpMethod;
  /** OpenAPI path template, e.g. `/twins/{id}`. */
  path: string;
  tag: string;
  summary: string;
  /** Any one of them grants the call; none: the operation needs no token. */
  permissions: readonly Permission[];
  /** Path parameters other than plain strings. */
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  /** A JSON body (or, with `bodyType`, a stream of JSON lines of this schema). */
  body?: z.ZodType;
  bodyType?: 'application/x-ndjson';
  /** The success status and what it carries. */
  success?: { status: number; schema?: z.ZodType; contentType?: string };
}

const READ: Permission[] = ['RegistryRead'];
const WRITE: Permission[] = ['RegistryWrite'];
const SERVICE: Permission[] = ['ServiceConnect'];
const JOBS_READ: Permission[] = ['RegistryRead', 'ServiceConnect'];
const JOBS_WRITE: Permission[] = ['RegistryWrite', 'ServiceConnect'];

const hookPath = z.object({ id: hookIdParam });
const bulkResult = z.object({
  isSuccessful: z.boolean(),
  errors: z.array(z.object({ deviceId: z.string(), errorCode: z.string(), errorStatus: z.string() })),
  warnings: z.array(z.unknown()),
});
const methodResult = z.object({ status: z.number().int(), payload: z.unknown() });
const twinPatch = twinBody;

export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/openapi.json', tag: 'API', summary: 'This document (no token or api-version needed)', permissions: [] },

  {
    method: 'get',
    path: '/healthz',
    tag: 'Operations',
    summary: 'Liveness: 200 while the process runs',
    permissions: [],
    success: { status: 200, contentType: 'text/plain' },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Operations',
    summary: 'Readiness: 200 when the store, Temporal and the broker answer, else 503 naming the failing parts',
    permissions: [],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics (a SAS token of HUB_METRICS_POLICY when that is set)',
    permissions: [],
    success: { status: 200, contentType: 'text/plain' },
  },

  { method: 'get', path: '/ui', tag: 'Console', summary: "The operator's console (redirects to /ui/)", permissions: [], success: { status: 301 } },
  {
    method: 'get',
    path: '/ui/settings.json',
    tag: 'Console',
    summary: "The console's settings: the hub's host name and the Temporal Web UI's address",
    permissions: [],
  },
  {
    method: 'get',
    path: '/console/job-events',
    tag: 'Console',
    summary: "A job's state as server-sent events while it changes",
    permissions: JOBS_READ,
    query: jobEventsQuery,
    success: { status: 200, contentType: 'text/event-stream' },
  },

  { method: 'get', path: '/devices', tag: 'Registry', summary: 'List device identities in id order', permissions: READ, query: devicesListQuery },
  { method: 'get', path: '/devices/{id}', tag: 'Registry', summary: 'Get a device identity', permissions: READ },
  { method: 'put', path: '/devices/{id}', tag: 'Registry', summary: 'Create a device (replace with If-Match)', permissions: WRITE, body: deviceBody },
  { method: 'delete', path: '/devices/{id}', tag: 'Registry', summary: 'Delete a device and its modules', permissions: WRITE, success: { status: 204 } },
  {
    method: 'post',
    path: '/devices',
    tag: 'Bulk',
    summary: 'Bulk registry operations on up to 100 devices',
    permissions: WRITE,
    body: z.array(exportImportDevice),
    success: { status: 200, schema: bulkResult },
  },
  {
    method: 'post',
    path: '/registry/import',
    tag: 'Bulk',
    summary: 'Import devices streamed as JSON lines',
    permissions: WRITE,
    body: exportImportDevice,
    bodyType: 'application/x-ndjson',
  },
  {
    method: 'get',
    path: '/registry/export',
    tag: 'Bulk',
    summary: 'Export every device with its twin as JSON lines',
    permissions: READ,
    success: { status: 200, contentType: 'application/x-ndjson' },
  },

  { method: 'get', path: '/devices/{id}/modules', tag: 'Modules', summary: "List a device's modules", permissions: READ },
  { method: 'get', path: '/devices/{id}/modules/{moduleId}', tag: 'Modules', summary: 'Get a module identity', permissions: READ },
  {
    method: 'put',
    path: '/devices/{id}/modules/{moduleId}',
    tag: 'Modules',
    summary: 'Create a module (replace with If-Match)',
    permissions: WRITE,
    body: moduleBody,
  },
  { method: 'delete', path: '/devices/{id}/modules/{moduleId}', tag: 'Modules', summary: 'Delete a module', permissions: WRITE, success: { status: 204 } },
  { method: 'get', path: '/twins/{id}/modules/{moduleId}', tag: 'Modules', summary: 'Get a module twin', permissions: SERVICE },
  {
    method: 'patch',
    path: '/twins/{id}/modules/{moduleId}',
    tag: 'Modules',
    summary: 'Merge tags and desired properties into a module twin',
    permissions: SERVICE,
    body: twinPatch,
  },
  {
    method: 'put',
    path: '/twins/{id}/modules/{moduleId}',
    tag: 'Modules',
    summary: 'Replace the tags and desired properties of a module twin',
    permissions: SERVICE,
    body: twinPatch,
  },

  { method: 'get', path: '/twins/{id}', tag: 'Twins', summary: 'Get a device twin', permissions: SERVICE },
  {
    method: 'patch',
    path: '/twins/{id}',
    tag: 'Twins',
    summary: 'Merge tags and desired properties into a device twin',
    permissions: SERVICE,
    body: twinPatch,
  },
  {
    method: 'put',
    path: '/twins/{id}',
    tag: 'Twins',
    summary: 'Replace the tags and desired properties of a device twin',
    permissions: SERVICE,
    body: twinPatch,
  },

  {
    method: 'post',
    path: '/devices/query',
    tag: 'Query',
    summary: 'Query twins and device job records (IoT Hub query language)',
    permissions: ['ServiceConnect', 'RegistryRead'],
    body: queryBody,
    headers: pagingHeaders,
  },

  {
    method: 'post',
    path: '/twins/{id}/methods',
    tag: 'Methods',
    summary: 'Invoke a direct method on a device',
    permissions: SERVICE,
    body: methodRequestSchema,
    success: { status: 200, schema: methodResult },
  },
  {
    method: 'post',
    path: '/twins/{id}/modules/{moduleId}/methods',
    tag: 'Methods',
    summary: 'Invoke a direct method on a module',
    permissions: SERVICE,
    body: methodRequestSchema,
    success: { status: 200, schema: methodResult },
  },

  {
    method: 'get',
    path: '/jobs/v2/query',
    tag: 'Jobs',
    summary: 'List jobs, newest first',
    permissions: JOBS_READ,
    query: jobListParams,
    headers: pagingHeaders,
  },
  {
    method: 'put',
    path: '/jobs/v2/{id}',
    tag: 'Jobs',
    summary: 'Create a job (device method or twin update on the devices a condition selects)',
    permissions: JOBS_WRITE,
    body: jobRequestSchema.extend({ rollout: rolloutSchema.optional() }),
  },
  { method: 'get', path: '/jobs/v2/{id}', tag: 'Jobs', summary: 'Get a job', permissions: JOBS_READ },
  { method: 'post', path: '/jobs/v2/{id}/cancel', tag: 'Jobs', summary: 'Cancel a job', permissions: JOBS_WRITE },
  {
    method: 'patch',
    path: '/jobs/v2/{id}',
    tag: 'Jobs',
    summary: "Change a running or scheduled job's rollout settings or deadline, for the devices not started yet",
    permissions: JOBS_WRITE,
    body: jobPatchSchema,
  },
  {
    method: 'post',
    path: '/jobs/v2/{id}/pause',
    tag: 'Jobs',
    summary: 'Pause a job: no device is started until it resumes (in-flight ones finish)',
    permissions: JOBS_WRITE,
  },
  { method: 'post', path: '/jobs/v2/{id}/resume', tag: 'Jobs', summary: 'Resume a paused job where it stopped', permissions: JOBS_WRITE },

  {
    method: 'get',
    path: '/configurations',
    tag: 'Configurations',
    summary: 'List automatic device configurations',
    permissions: READ,
    query: configurationsListQuery,
  },
  { method: 'get', path: '/configurations/{id}', tag: 'Configurations', summary: 'Get a configuration with its metrics', permissions: READ },
  {
    method: 'put',
    path: '/configurations/{id}',
    tag: 'Configurations',
    summary: 'Create a configuration (replace with If-Match)',
    permissions: WRITE,
    body: configurationBody,
  },
  { method: 'delete', path: '/configurations/{id}', tag: 'Configurations', summary: 'Delete a configuration', permissions: WRITE, success: { status: 204 } },
  {
    method: 'post',
    path: '/devices/{id}/applyConfigurationContent',
    tag: 'Configurations',
    summary: "Apply configuration content to one device's twin (or its modules')",
    permissions: WRITE,
    body: contentBody,
  },

  {
    method: 'get',
    path: '/hooks',
    tag: 'Webhooks',
    summary: 'List webhooks (never their secrets)',
    permissions: READ,
    success: { status: 200, schema: z.array(webhookSchema) },
  },
  {
    method: 'get',
    path: '/hooks/{id}',
    tag: 'Webhooks',
    summary: 'Get a webhook (never its secret)',
    permissions: READ,
    pathParams: hookPath,
    success: { status: 200, schema: webhookSchema },
  },
  {
    method: 'put',
    path: '/hooks/{id}',
    tag: 'Webhooks',
    summary: 'Create or replace a webhook for job events',
    permissions: WRITE,
    pathParams: hookPath,
    body: webhookBody,
    success: { status: 200, schema: webhookSchema },
  },
  {
    method: 'delete',
    path: '/hooks/{id}',
    tag: 'Webhooks',
    summary: 'Delete a webhook and its delivery history',
    permissions: WRITE,
    pathParams: hookPath,
    success: { status: 204 },
  },
  {
    method: 'get',
    path: '/hooks/{id}/deliveries',
    tag: 'Webhooks',
    summary: "A webhook's deliveries, last attempted first",
    permissions: READ,
    pathParams: hookPath,
    query: deliveriesQuery,
    success: { status: 200, schema: z.array(webhookDeliverySchema) },
  },
];
