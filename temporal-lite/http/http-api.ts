// Temporal's HTTP API on its own port (--http-port), as the frontend serves it: every binding of
// the google.api.http rules, with and without the /api/v1 prefix; payloads in Temporal's
// shorthand unless the client opts out.
import { createApiHandler, type ServedService } from './api-handler.js';
import { listen, type ListeningServer } from './listen.js';
import { deriveRoutes } from './routes.js';

export interface HttpApiOptions {
  host: string;
  port: number;
  services: ReadonlyMap<string, ServedService>;
}

export interface HttpApiServer extends ListeningServer {
  /** Calls still running (long polls among them). */
  readonly inFlight: number;
}

export async function startHttpApi(options: HttpApiOptions): Promise<HttpApiServer> {
  const api = createApiHandler({ routes: deriveRoutes(), services: options.services, payloadShorthand: true });
  const server = await listen(options.host, options.port, (req, res) => api.handle(req, res));
  return {
    port: server.port,
    get inFlight() {
      return api.inFlight;
    },
    close: async () => {
      api.cancelAll();
      await server.close();
    },
  };
}
