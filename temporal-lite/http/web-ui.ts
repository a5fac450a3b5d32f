// The Temporal Web UI on its own port, as Temporal's UI server serves it: the app's files, its
// settings at /api/v1/settings, and Temporal's HTTP API under /api/v1 (payloads in full form,
// which the UI decodes). There is no authentication: write actions (terminate, cancel, signal,
// reset, ...) are refused unless enabled, and the port binds to 127.0.0.1 unless told otherwise.
import { status } from '@grpc/grpc-js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RpcError } from '../grpc/errors.js';
import { createApiHandler, sendJson, type ServedService } from './api-handler.js';
import type { JsonObject } from './json-output.js';
import { listen, type ListeningServer } from './listen.js';
import { deriveRoutes, type HttpRoute } from './routes.js';
import { statusJson } from './rpc-status.js';
import { sendStaticFile } from './static-files.js';
import type { UiAssets } from './ui-assets.js';

export interface WebUiOptions {
  host: string;
  port: number;
  /** The built app; undefined: the API is served and pages say how to build the UI. */
  assets?: UiAssets;
  defaultNamespace: string;
  /** Allows terminate, cancel, signal, reset, update and the other calls that change state. */
  writeActions: boolean;
  services: ReadonlyMap<string, ServedService>;
}

const API_PREFIX = '/api/v1/';

/** Reads the UI makes with POST. */
const READ_ONLY_POSTS = new Set(['QueryWorkflow']);

function writeRefusal(route: HttpRoute): RpcError | undefined {
  if (route.verb === 'get' || READ_ONLY_POSTS.has(route.method.name)) return undefined;
  return new RpcError(
    status.PERMISSION_DENIED,
    `${route.method.name}: write actions are disabled in this Web UI (enable them with --ui-write-actions, or HUB_TEMPORAL_UI_WRITE_ACTIONS=true in the hub)`,
  );
}

/** Temporal's UI server's settings response (its field names), for this server. */
function settings(options: WebUiOptions): JsonObject {
  const disabled = !options.writeActions;
  return {
    Auth: { Enabled: false, Options: null },
    BannerText: '',
    DefaultNamespace: options.defaultNamespace,
    ShowTemporalSystemNamespace: false,
    FeedbackURL: '',
    NotifyOnNewVersion: false,
    Codec: { Endpoint: '', PassAccessToken: false, IncludeCredentials: false },
    Version: options.assets?.uiVersion ?? '',
    DisableWriteActions: disabled,
    WorkflowTerminateDisabled: disabled,
    WorkflowCancelDisabled: disabled,
    WorkflowSignalDisabled: disabled,
    WorkflowUpdateDisabled: disabled,
    WorkflowResetDisabled: disabled,
    // Batch operations and starting workflows from the UI are not served by temporal-lite.
    BatchActionsDisabled: true,
    StartWorkflowDisabled: true,
    HideWorkflowQueryErrors: false,
    RefreshWorkflowCountsDisabled: false,
  };
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Temporal Web UI</title>
<p>The Temporal Web UI is not built. Run <code>npm run build</code> (it builds the <code>temporal-ui</code> workspace), then reload.
<p>Temporal's HTTP API is served under <code>/api/v1</code>.`;

export interface WebUiServer extends ListeningServer {
  url: string;
}

export async function startWebUi(options: WebUiOptions): Promise<WebUiServer> {
  const api = createApiHandler({
    routes: deriveRoutes().filter((route) => route.template.startsWith(API_PREFIX)),
    services: options.services,
    payloadShorthand: false,
    admit: options.writeActions ? undefined : writeRefusal,
  });
  const settingsJson = settings(options);
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === `${API_PREFIX}settings`) return sendJson(res, 200, settingsJson, false);
    if (pathname.startsWith(API_PREFIX)) return api.handle(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, statusJson(status.UNIMPLEMENTED, `${req.method} is not allowed on ${pathname}`), false);
    if (options.assets && sendStaticFile(options.assets.dir, pathname, res, req.method === 'HEAD')) return;
    if (options.assets) return sendJson(res, 404, statusJson(status.NOT_FOUND, `no file ${pathname}`), false);
    res.writeHead(503, { 'Content-Type': 'text/html; charset=utf-8' }).end(NOT_BUILT);
  };
  const server = await listen(options.host, options.port, handle);
  const urlHost = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port: server.port,
    url: `http://${urlHost}:${server.port}`,
    close: async () => {
      api.cancelAll();
      await server.close();
    },
  };
}
