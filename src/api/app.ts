import express, { type Express, type Router } from 'express';
import type { SharedAccessPolicy } from '../auth/policies.js';
import { consoleRouter, type ConsoleSettings } from '../console/static.js';
import { defaultLogger, type Logger } from '../logger.js';
import { NO_HUB_EVENTS, type HubEvents } from '../registry/events.js';
import type { HubStore } from '../registry/store.js';
import { requireApiVersion } from './api-version.js';
import { authenticate } from './auth.js';
import { errorHandler, notFound } from './errors.js';
import type { HubMetrics } from '../observe/metrics.js';
import { observeRequests } from '../observe/request-observer.js';
import { jsonBody } from './json-body.js';
import { openApiDocument } from './openapi/document.js';
import { bulkRegistryRouter } from './routes/bulk-registry.js';
import { devicesRouter } from './routes/devices.js';
import { modulesRouter } from './routes/modules.js';
import { queryRouter } from './routes/query.js';
import { twinsRouter } from './routes/twins.js';

/**
 * The hub's REST facade (IoT Hub service API). Seams for the other parts of the hub:
 *
 * - `routers`: extra Express routers mounted after the built-in ones, e.g. the gateway's
 *   `POST /twins/{id}/methods` or the jobs API. They run behind the shared middleware — api-version
 *   check, SAS authentication (`res.locals` principal), JSON body parsing — and must guard each route
 *   with `requirePermission(...)` from ./auth.js. Throw HubError for client mistakes: the error
 *   handler renders it in IoT Hub's envelope (1, or 2 when the HubError asks for it).
 * - `events`: told about committed desired-property changes (PATCH/PUT /twins) so the gateway can
 *   notify devices, and about replaced or deleted identities (PUT/DELETE /devices) so it can drop
 *   their connections; see HubEvents in ../registry/events.ts.
 */
export interface ApiDependencies {
  store: HubStore;
  /** The hub's host name: service SAS tokens must be issued for it (`sr`). */
  hostName: string;
  policies: readonly SharedAccessPolicy[];
  events?: HubEvents;
  routers?: readonly Router[];
  /** The operator's console at /ui/: where it links to the jobs' workflows. */
  console?: Pick<ConsoleSettings, 'temporalUi'>;
  log?: Logger;
  /** Request ids, logs and metrics; `ops`: the /healthz, /readyz, /metrics routes, ahead of the API's checks. */
  observe?: { metrics: HubMetrics; ops?: Router };
}

export function createApiApp(deps: ApiDependencies): Express {
  const log = deps.log ?? defaultLogger;
  const events = deps.events ?? NO_HUB_EVENTS;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // entity tags here are IoT Hub's, never Express's body hashes
  if (deps.observe?.ops) app.use(deps.observe.ops); // probes and scrapes: neither logged nor counted per request
  if (deps.observe) app.use(observeRequests(log, deps.observe.metrics));
  // The API's description, for tools: public, like the API's own documentation.
  const withOps = deps.observe?.ops !== undefined;
  app.get('/openapi.json', (_req, res) => void res.json(openApiDocument({ withOps })));
  // The console's static files come before the API's checks: they are public and hold no data.
  app.use(consoleRouter({ hostName: deps.hostName, temporalUi: deps.console?.temporalUi }));
  app.use(requireApiVersion);
  app.use(authenticate(deps));
  app.use(jsonBody);
  app.use(queryRouter(deps.store));
  app.use(bulkRegistryRouter(deps.store, events, log));
  app.use(devicesRouter(deps.store, events, log));
  app.use(twinsRouter(deps.store, events, log));
  app.use(modulesRouter(deps.store, events, log));
  for (const router of deps.routers ?? []) app.use(router);
  app.use(notFound);
  app.use(errorHandler(log));
  return app;
}
