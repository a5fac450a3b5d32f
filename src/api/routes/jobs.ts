import { Router, type Request } from 'express';
import { z } from 'zod';
import { parseListFilter } from '../../jobs/list-filter.js';
import type { JobsService } from '../../jobs/service.js';
import { pageSizeFromHeader } from '../../query/index.js';
import { requirePermission } from '../auth.js';
import { parseInput } from '../validate.js';

export const jobListParams = z.object({
  jobType: z.string().optional(),
  jobStatus: z.string().optional(),
  pageSize: z.string().optional(),
  continuationToken: z.string().optional(),
});

const jobId = (req: Request): string => String(req.params.id);

/**
 * The jobs v2 routes (https://learn.microsoft.com/rest/api/iothub/service/jobs): PUT/GET
 * /jobs/v2/{id}, POST /jobs/v2/{id}/cancel and GET /jobs/v2/query; and this hub's rollout control:
 * PATCH /jobs/v2/{id}, POST /jobs/v2/{id}/pause and /resume. Writing jobs takes
 * RegistryWrite or ServiceConnect, reading them RegistryRead or ServiceConnect
 * (https://learn.microsoft.com/azure/iot-hub/iot-hub-dev-guide-sas).
 */
export function jobsRouter(service: JobsService): Router {
  const router = Router();
  const write = requirePermission('RegistryWrite', 'ServiceConnect');
  const read = requirePermission('RegistryRead', 'ServiceConnect');

  // Before /jobs/v2/:id, which would take `query` for an id.
  router.get('/jobs/v2/query', read, async (req, res) => {
    const params = parseInput(jobListParams, req.query, 'query parameters');
    const page = await service.list(parseListFilter(params), {
      pageSize: pageSizeFromHeader(req.get('x-ms-max-item-count') ?? params.pageSize),
      continuation: req.get('x-ms-continuation') || params.continuationToken || undefined,
    });
    res.set('x-ms-item-type', 'JobResponse');
    if (page.continuation !== undefined) res.set('x-ms-continuation', page.continuation);
    res.json(page.items);
  });

  router.put('/jobs/v2/:id', write, async (req, res) => {
    res.json(await service.create(jobId(req), req.body));
  });

  router.get('/jobs/v2/:id', read, async (req, res) => {
    res.json(await service.get(jobId(req)));
  });

  router.post('/jobs/v2/:id/cancel', write, async (req, res) => {
    res.json(await service.cancel(jobId(req)));
  });

  // Rollout control (this hub's extension): PATCH the settings, pause and resume.
  router.patch('/jobs/v2/:id', write, async (req, res) => {
    res.json(await service.edit(jobId(req), req.body));
  });

  router.post('/jobs/v2/:id/pause', write, async (req, res) => {
    res.json(await service.pause(jobId(req)));
  });

  router.post('/jobs/v2/:id/resume', write, async (req, res) => {
    res.json(await service.resume(jobId(req)));
  });

  return router;
}
