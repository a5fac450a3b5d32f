/**
 * Hash routes (#/jobs, #/jobs/<id>, #/new, #/devices, #/devices/<id>): the hub serves one
 * static page, and the route never reaches the server (no fallback needed, nothing in its logs).
 */
export type Route = { page: 'jobs' } | { page: 'job'; jobId: string } | { page: 'new' } | { page: 'devices' } | { page: 'device'; deviceId: string };

export function parseRoute(hash: string): Route {
  const [page, id] = hash
    .replace(/^#\/?/, '')
    .split('/')
    .map((part) => decodeURIComponent(part));
  if (page === 'jobs' && id) return { page: 'job', jobId: id };
  if (page === 'new') return { page: 'new' };
  if (page === 'devices') return id ? { page: 'device', deviceId: id } : { page: 'devices' };
  return { page: 'jobs' };
}

export const jobHref = (jobId: string): string => `#/jobs/${encodeURIComponent(jobId)}`;
export const deviceHref = (deviceId: string): string => `#/devices/${encodeURIComponent(deviceId)}`;

class Router {
  route = $state<Route>(parseRoute(location.hash));

  constructor() {
    addEventListener('hashchange', () => (this.route = parseRoute(location.hash)));
  }

  go(hash: string): void {
    location.hash = hash;
  }
}

export const router = new Router();
