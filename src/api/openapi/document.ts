/**
 * The OpenAPI 3.1 document of the REST API (GET /openapi.json), generated from OPERATIONS and the
 * zod schemas the routes validate with (zod's JSON Schema output, draft 2020-12, which OpenAPI 3.1
 * schemas are: https://spec.openapis.org/oas/v3.1.0#schema-object).
 */
import { z } from 'zod';
import { OPS_PATHS } from '../../observe/ops-routes.js';
import { OPERATIONS, type Operation } from './operations.js';

type JsonSchema = Record<string, unknown>;

/** A request's JSON Schema: what a client may send (input side of transforms); custom checks are JSON objects. */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'custom') ctx.jsonSchema.type = 'object';
    },
  });
  return rest;
}

/** IoT Hub's error body (envelope 1: `ErrorCode:<Name>;<text>`; direct methods' envelope 2 holds JSON in Message). */
const errorBodySchema = z.object({
  Message: z.string().describe('ErrorCode:<name>;<description>, or (direct methods) a JSON text with errorCode, trackingId, message'),
  ExceptionMessage: z.string().describe('Tracking ID:<id>-G:0-TimeStamp:<MM/dd/yyyy HH:mm:ss>'),
});

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

function parameters(op: Operation): JsonSchema[] {
  const list: JsonSchema[] = [];
  const pathSchema = op.pathParams ? jsonSchema(op.pathParams) : undefined;
  for (const [, name] of op.path.matchAll(/\{([^}]+)\}/g)) {
    const properties = pathSchema?.properties as Record<string, JsonSchema> | undefined;
    list.push({ name, in: 'path', required: true, schema: properties?.[name!] ?? { type: 'string' } });
  }
  for (const [place, schema] of [
    ['query', op.query],
    ['header', op.headers],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema);
    const required = new Set((object.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries((object.properties as Record<string, JsonSchema>) ?? {})) {
      list.push({ name, in: place, required: required.has(name), schema: property });
    }
  }
  if (op.permissions.length > 0) list.push({ $ref: '#/components/parameters/apiVersion' });
  return list;
}

function operationObject(op: Operation): JsonSchema {
  const status = op.success?.status ?? 200;
  const content = op.success?.contentType ?? 'application/json';
  const success =
    status === 204
      ? { description: 'Done (no content)' }
      : status === 301
        ? { description: 'Moved permanently' }
        : { description: 'Success', content: { [content]: { schema: op.success?.schema ? jsonSchema(op.success.schema) : {} } } };
  const permissions = op.permissions.length > 0 ? ` Permissions: ${op.permissions.join(' or ')}.` : '';
  return {
    operationId: `${op.method}${op.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_match, next: string | undefined) => (next ?? '').toUpperCase())}`,
    tags: [op.tag],
    summary: op.summary,
    description: `${op.summary}.${permissions}`,
    ...(op.permissions.length === 0 && { security: [] }),
    parameters: parameters(op),
    ...(op.body && { requestBody: { required: true, content: { [op.bodyType ?? 'application/json']: { schema: jsonSchema(op.body) } } } }),
    responses: { [String(status)]: success, '4XX': ERROR_RESPONSE, '5XX': ERROR_RESPONSE },
  };
}

const isOpsPath = (path: string): boolean => (OPS_PATHS as readonly string[]).includes(path);

function buildDocument(withOps: boolean): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of OPERATIONS) if (withOps || !isOpsPath(op.path)) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'iothub-jobs REST API',
      // The IoT Hub service API version it follows (any api-version from 2018-06-30 on is served alike).
      version: '2021-04-12',
      description:
        "Azure IoT Hub's service REST API (registry, twins, query, direct methods, jobs v2, configurations, bulk registry, modules) and this hub's extensions (device import/export as JSON lines, webhooks for job events).",
    },
    security: [{ sas: [] }],
    paths,
    components: {
      securitySchemes: {
        sas: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            "A shared access signature of one of the hub's policies: `SharedAccessSignature sr=<host>&sig=<signature>&se=<expiry>&skn=<policy>` (https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-sas).",
        },
      },
      parameters: {
        apiVersion: {
          name: 'api-version',
          in: 'query',
          required: true,
          schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(-preview)?$', examples: ['2021-04-12'] },
        },
      },
      schemas: { ErrorBody: jsonSchema(errorBodySchema) },
      responses: {
        Error: {
          description: "IoT Hub's error envelope; the iothub-errorcode header names the error",
          headers: { 'iothub-errorcode': { schema: { type: 'string' } } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } },
        },
      },
    },
  };
}

const documents = new Map<boolean, JsonSchema>();

/**
 * Built once per variant, on first use. `withOps`: the API's port serves /healthz, /readyz and
 * /metrics (not when HUB_METRICS_PORT moves them to a port of their own).
 */
export function openApiDocument({ withOps }: { withOps: boolean }): JsonSchema {
  let document = documents.get(withOps);
  if (!document) documents.set(withOps, (document = buildDocument(withOps)));
  return document;
}
