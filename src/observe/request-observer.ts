import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { secondsSince, type HubMetrics } from './metrics.js';

/**
 * The request id: the caller's when it sends a usable one — IoT Hub's service SDKs send `Request-Id`
 * (a GUID) on every call, proxies and gateways `x-request-id` — otherwise a new UUID. It is echoed
 * in `x-request-id` (the header ingress proxies and tracing tools use) and logged with the request,
 * so an SDK-side trace, a proxy log and the hub log meet on one id.
 */
export const REQUEST_ID_HEADER = 'x-request-id';
const USABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(req: Request): string {
  const given = req.get('request-id') ?? req.get(REQUEST_ID_HEADER);
  return given !== undefined && USABLE_ID.test(given) ? given : randomUUID();
}

/** The route template a request matched (`/twins/:id`), `unmatched` when none did: a bounded label. */
function routeOf(req: Request): string {
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : 'unmatched';
}

/** The ids a route names (`:id` of /jobs/v2/:id is a job, of /devices/:id and /twins/:id a device), for the log line. */
function idsOf(route: string, path: string): { jobId?: string; deviceId?: string } {
  const templateParts = route.split('/');
  const pathParts = path.split('/');
  const valueOf = (name: string) => {
    const index = templateParts.indexOf(`:${name}`);
    if (index < 0 || pathParts[index] === undefined) return undefined;
    try {
      return decodeURIComponent(pathParts[index]);
    } catch {
      return pathParts[index];
    }
  };
  if (route.startsWith('/jobs/')) return { jobId: valueOf('id') };
  if (/^\/(devices|twins)\//.test(route)) return { deviceId: valueOf('id') ?? valueOf('deviceId') };
  return {};
}

/**
 * First middleware of an HTTP app: gives the request its id, and when the response is sent, logs
 * one line (method, route template, path, status, duration; jobId/deviceId when the route names one)
 * and observes the duration by route template. The Authorization header is never logged.
 */
export function observeRequests(log: Logger, metrics: HubMetrics): RequestHandler {
  return (req, res, next) => {
    const start = performance.now();
    const requestId = requestIdOf(req);
    res.set(REQUEST_ID_HEADER, requestId);
    res.once('finish', () => {
      const seconds = secondsSince(start);
      const route = routeOf(req);
      const status = res.statusCode;
      metrics.httpRequestDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      const line = { requestId, method: req.method, route, path: req.path, status, ms: Math.round(seconds * 1000 * 10) / 10, ...idsOf(route, req.path) };
      // 504 is IoT Hub's answer for a device that did not answer a direct method in time: the device's doing, not the hub's.
      if (status >= 500 && status !== 504) log.error(line, 'request failed');
      else log.info(line, 'request');
    });
    next();
  };
}
