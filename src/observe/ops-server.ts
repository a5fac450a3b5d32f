import http from 'node:http';
import express from 'express';
import { close, listen } from '../api/server.js';
import { errorHandler, notFound } from '../api/errors.js';
import type { Logger } from '../logger.js';
import { opsRouter, type OpsDependencies } from './ops-routes.js';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * /healthz, /readyz and /metrics on a plain HTTP port of their own: a process without the REST API
 * (worker, gateway roles) serves them on its HTTP port, and HUB_METRICS_PORT moves them off the
 * API's ports in any role.
 */
export async function startOpsServer(deps: OpsDependencies & { log: Logger }, host: string, port: number): Promise<OpsServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(opsRouter(deps));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  const server = http.createServer(app);
  const bound = await listen(server, port, host);
  return { port: bound, close: () => close(server) };
}
