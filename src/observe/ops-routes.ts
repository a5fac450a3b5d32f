import { Router, type RequestHandler } from 'express';
import type { SharedAccessPolicy } from '../auth/policies.js';
import { authenticateService } from '../auth/service-auth.js';
import { HubError } from '../errors/hub-error.js';
import type { HubMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';
import { scrubSecrets } from './secrets.js';

/** The operations endpoints: paths every role serves, outside IoT Hub's API (no api-version, no SAS unless asked). */
export const OPS_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

export interface OpsDependencies {
  metrics: HubMetrics;
  readiness: Readiness;
  /** When set, GET /metrics needs a SAS token of this shared access policy (HUB_METRICS_POLICY). */
  metricsPolicy?: string;
  hostName: string;
  policies: readonly SharedAccessPolicy[];
}

/**
 * GET /healthz: the process is up (200 whenever it can answer). GET /readyz: every registered part
 * answers (200), or 503 naming the failing parts, as Kubernetes probes and compose healthchecks read
 * them (https://kubernetes.io/docs/reference/using-api/health-checks/). GET /metrics: Prometheus text.
 */
export function opsRouter(deps: OpsDependencies): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await deps.readiness.report();
    const checks = Object.fromEntries(Object.entries(report.checks).map(([name, result]) => [name, scrubSecrets(result)]));
    const failing = Object.keys(checks).filter((name) => checks[name] !== 'ok');
    res
      .status(report.ready ? 200 : 503)
      .set('cache-control', 'no-store')
      .json(report.ready ? { status: 'ready', checks } : { status: 'unavailable', failing, checks });
  });
  router.get('/metrics', metricsAccess(deps), async (_req, res) => {
    res
      .set('content-type', deps.metrics.contentType)
      .set('cache-control', 'no-store')
      .send(await deps.metrics.text());
  });
  return router;
}

function metricsAccess(deps: OpsDependencies): RequestHandler {
  return (req, _res, next) => {
    if (deps.metricsPolicy !== undefined) {
      const principal = authenticateService(req.get('authorization'), deps);
      if (principal.policyName !== deps.metricsPolicy) {
        throw new HubError('IotHubUnauthorizedAccess', `Unauthorized: /metrics needs a SAS token of policy '${deps.metricsPolicy}'`);
      }
    }
    next();
  };
}
