// The HTTP transport of the API: a call whose client goes away is cancelled (a long poll stops
// waiting at once rather than at its timeout), and answers go out only after the group commit.
import { status } from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallContext } from '../../../temporal-lite/grpc/call-context.js';
import type { ServiceOptions } from '../../../temporal-lite/grpc/dispatch.js';
import type { WorkflowServiceHandlers } from '../../../temporal-lite/grpc/handlers.js';
import { createApiHandler } from '../../../temporal-lite/http/api-handler.js';
import { listen } from '../../../temporal-lite/http/listen.js';
import { deriveRoutes } from '../../../temporal-lite/http/routes.js';
import { silentLogger, waitFor } from '../helpers/harness.js';

async function serve(handlers: WorkflowServiceHandlers, options: Partial<ServiceOptions> = {}) {
  const serviceOptions: ServiceOptions = { logger: silentLogger, beforeRespond: async () => {}, ...options };
  const api = createApiHandler({
    routes: deriveRoutes(),
    services: new Map([['temporal.api.workflowservice.v1.WorkflowService', { handlers, options: serviceOptions }]]),
    payloadShorthand: false,
  });
  const server = await listen('127.0.0.1', 0, (req, res) => api.handle(req, res));
  return { api, base: `http://127.0.0.1:${server.port}`, close: () => server.close() };
}

describe('temporal-lite HTTP API transport', () => {
  it('cancels the call when the client disconnects', async () => {
    let cancelled = false;
    const { api, base, close } = await serve({
      GetWorkflowExecutionHistory: (_req, ctx: CallContext) =>
        new Promise((resolve) =>
          ctx.onCancel(() => {
            cancelled = true;
            resolve({});
          }),
        ),
    });
    try {
      const abort = new AbortController();
      const poll = fetch(`${base}/api/v1/namespaces/default/workflows/w/history?waitNewEvent=true`, { signal: abort.signal }).catch((err: unknown) => err);
      await waitFor('the call to start', () => api.inFlight === 1 || undefined);
      assert.equal(cancelled, false);
      abort.abort();
      await poll;
      await waitFor('the call to be cancelled', () => cancelled || undefined, 5_000);
      await waitFor('the call to end', () => api.inFlight === 0 || undefined, 5_000);
    } finally {
      await close();
    }
  });

  it('answers after the group commit, and a storage failure there is UNAVAILABLE (503)', async () => {
    let committed = false;
    const ok = await serve(
      { GetSystemInfo: () => ({ serverVersion: committed ? 'late' : 'x' }) },
      {
        beforeRespond: async () => {
          committed = true;
        },
      },
    );
    try {
      const res = await fetch(`${ok.base}/api/v1/system-info`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 200);
      assert.equal(committed, true);
    } finally {
      await ok.close();
    }
    const failing = await serve({ GetSystemInfo: () => ({}) }, { beforeRespond: async () => Promise.reject(new Error('disk full')) });
    try {
      const res = await fetch(`${failing.base}/api/v1/system-info`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { code: status.UNAVAILABLE, message: 'temporal-lite storage failure: disk full', details: [] });
    } finally {
      await failing.close();
    }
  });
});
