// GET /openapi.json of a hub composed as `npm start` composes it (registry, twins, query, methods,
// jobs, configurations, bulk, modules, webhooks): a valid OpenAPI 3.1 document (checked by an
// OpenAPI schema validator) describing exactly the routes the Express app mounts, also when
// HUB_METRICS_PORT moves /healthz, /readyz and /metrics off the API's port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import type { Express } from 'express';
import type { Hub } from '../../src/hub.js';
import type { HubNode } from '../../src/run/hub-node.js';
import { hubRequest } from '../helpers/hub-http.js';
import { startCliHub, type CliHub } from '../cli/helpers/cli-hub.js';

/** A layer of Express 5's router stack: a route (its handlers per method), or a mounted router with its own stack. */
interface Layer {
  route?: { path: string; stack: ReadonlyArray<{ method: string }> };
  handle: unknown;
}

const stackOf = (handle: unknown): Layer[] | undefined =>
  typeof handle === 'function' && 'stack' in handle && Array.isArray(handle.stack) ? handle.stack : undefined;

/** The hub's API as the test helpers take it (the process runs the api role). */
function apiHub(node: HubNode): Hub {
  const { api } = node.hub;
  assert.ok(api, 'the hub serves its REST API');
  return { ...node.hub, api };
}

/** `METHOD /path/{param}` of every route mounted on the app (routers mounted without a path prefix). */
function mountedRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: readonly Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        for (const method of new Set(layer.route.stack.map((handler) => handler.method))) routes.push(`${method.toUpperCase()} ${path}`);
      } else {
        const nested = stackOf(layer.handle);
        if (nested) walk(nested);
      }
    }
  };
  walk(app.router.stack);
  return routes.sort();
}

/** `METHOD /path` of every operation the document describes. */
const documentedRoutes = (document: { paths: Record<string, Record<string, unknown>> }): string[] =>
  Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();

const OPS_ROUTES = ['GET /healthz', 'GET /metrics', 'GET /readyz'];

describe('the OpenAPI document', () => {
  let hub: CliHub;
  before(async () => {
    hub = await startCliHub();
  });
  after(() => hub?.dispose());

  it('is served without a token or api-version and is valid OpenAPI 3.1', async () => {
    const response = await hubRequest(apiHub(hub.node), { method: 'GET', path: '/openapi.json', apiVersion: null, auth: null });
    assert.equal(response.status, 200);
    assert.equal(response.body.openapi, '3.1.0');
    const result = await new Validator().validate(response.body);
    assert.deepEqual(result, { valid: true });
    assert.deepEqual(response.body.components.securitySchemes.sas, {
      ...response.body.components.securitySchemes.sas,
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
    });
    assert.deepEqual(Object.keys(response.body.components.schemas.ErrorBody.properties), ['Message', 'ExceptionMessage']);
  });

  it('describes every route the app mounts, and nothing else', async () => {
    const { body: document } = await hubRequest(apiHub(hub.node), { method: 'GET', path: '/openapi.json', apiVersion: null, auth: null });
    const documented = documentedRoutes(document);
    const mounted = mountedRoutes(apiHub(hub.node).api.app);
    for (const area of [
      '/devices/{id}',
      '/twins/{id}',
      '/devices/query',
      '/twins/{id}/methods',
      '/jobs/v2/{id}',
      '/configurations/{id}',
      '/registry/import',
      '/devices/{id}/modules/{moduleId}',
      '/hooks/{id}',
    ]) {
      assert.ok(
        mounted.some((route) => route.endsWith(` ${area}`)),
        `the hub mounts ${area}`,
      );
    }
    assert.deepEqual(documented, mounted);
    for (const route of OPS_ROUTES) assert.ok(documented.includes(route), `${route} is served on the API's port`);
  });

  it("documents request bodies with the routes' own schemas: what the document refuses, the route refuses", async () => {
    const { body: document } = await hubRequest(apiHub(hub.node), { method: 'GET', path: '/openapi.json', apiVersion: null, auth: null });
    const hookBody = document.paths['/hooks/{id}'].put.requestBody.content['application/json'].schema;
    assert.equal(hookBody.additionalProperties, false);
    assert.deepEqual(hookBody.required, ['url', 'events', 'secret']);
    const refused = await hubRequest(apiHub(hub.node), {
      method: 'PUT',
      path: '/hooks/h1',
      body: { url: 'https://example.com/', events: ['job.completed'], secret: 'sixteen-chars-ok', colour: 'red' },
    });
    assert.equal(refused.status, 400);
    assert.match(refused.body.Message, /^ErrorCode:ArgumentInvalid;Invalid body: .*colour/);
    const jobBody = document.paths['/jobs/v2/{id}'].put.requestBody.content['application/json'].schema;
    assert.deepEqual(jobBody.properties.type.enum, ['scheduleDeviceMethod', 'scheduleUpdateTwin']);
    assert.deepEqual(jobBody.properties.cloudToDeviceMethod.properties.responseTimeoutInSeconds.anyOf, [
      { type: 'integer', minimum: 5, maximum: 300 },
      { type: 'null' },
    ]);
  });
});

describe('the OpenAPI document when HUB_METRICS_PORT moves the operations endpoints', () => {
  let hub: CliHub;
  before(async () => {
    hub = await startCliHub({ HUB_METRICS_PORT: '0' });
  });
  after(() => hub?.dispose());

  it('lists exactly what the API port serves: no /healthz, /readyz or /metrics, which the operations port answers', async () => {
    const api = apiHub(hub.node);
    const response = await hubRequest(api, { method: 'GET', path: '/openapi.json', apiVersion: null, auth: null });
    assert.equal(response.status, 200);
    assert.deepEqual(await new Validator().validate(response.body), { valid: true });
    const documented = documentedRoutes(response.body);
    assert.deepEqual(documented, mountedRoutes(api.api.app));
    for (const route of OPS_ROUTES) assert.equal(documented.includes(route), false, `${route} is not documented`);
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      assert.notEqual((await hubRequest(api, { method: 'GET', path, apiVersion: null, auth: null })).status, 200, `the API port does not answer ${path}`);
    }
    const opsPort = hub.node.hub.opsPort;
    assert.ok(opsPort, 'the operations endpoints have a port of their own');
    assert.equal((await fetch(`http://127.0.0.1:${opsPort}/healthz`)).status, 200);
  });
});
