import { Router } from 'express';
import { z } from 'zod';
import { pageSizeFromHeader } from '../../query/index.js';
import type { HubStore } from '../../registry/store.js';
import { requirePermission } from '../auth.js';
import { parseInput, requestBody } from '../validate.js';

export const queryBody = z.looseObject({ query: z.string() });
export const pagingHeaders = z.object({
  'x-ms-max-item-count': z.string().optional(),
  'x-ms-continuation': z.string().optional(),
});

/**
 * `POST /devices/query` over twins and device-job records. The body is `{"query": "…"}`; paging
 * by the x-ms-max-item-count / x-ms-continuation headers; the answer is a bare JSON array with
 * x-ms-item-type, and x-ms-continuation only when more pages follow (Azure docs, "IoT Hub query language"). ServiceConnect
 * or RegistryRead (Azure docs, "Control access to IoT Hub with shared access signatures").
 */
export function queryRouter(store: HubStore): Router {
  const router = Router();
  router.post('/devices/query', requirePermission('ServiceConnect', 'RegistryRead'), async (req, res) => {
    const { query } = requestBody(req, queryBody);
    const headers = parseInput(pagingHeaders, req.headers, 'headers');
    const page = await store.query(query, {
      pageSize: pageSizeFromHeader(headers['x-ms-max-item-count']),
      continuation: headers['x-ms-continuation'] || undefined,
    });
    res.set('x-ms-item-type', page.itemType);
    if (page.continuation !== undefined) res.set('x-ms-continuation', page.continuation);
    res.json(page.items);
  });
  return router;
}
