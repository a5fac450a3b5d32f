// Temporal's HTTP API over the same handlers as gRPC: an HTTP request is matched to its route,
// bound into the method's request message, run through the dispatch gRPC uses (storage gate,
// namespace check, group commit) and answered in proto3 JSON, or as a google.rpc.Status.
import { status } from '@grpc/grpc-js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallContext } from '../grpc/call-context.js';
import { invokeHandler, type HandlersByName, type ServiceOptions } from '../grpc/dispatch.js';
import { RpcError } from '../grpc/errors.js';
import { root, TO_OBJECT } from '../grpc/proto.js';
import { serializeWithRawHistory } from '../grpc/raw-history.js';
import { encodedMessageToJson, type Json } from './json-output.js';
import { bindRequest } from './request-binding.js';
import { matchRoute, pathSegments, type HttpRoute, type RouteMatch } from './routes.js';
import { httpStatusOf, statusJson } from './rpc-status.js';

/** The handlers of one service and how their calls run. */
export interface ServedService {
  handlers: HandlersByName;
  options: ServiceOptions;
}

export interface ApiHandlerOptions {
  routes: readonly HttpRoute[];
  services: ReadonlyMap<string, ServedService>;
  /**
   * Whether payloads take Temporal's shorthand unless the client opts out (the frontend's HTTP
   * API); false: always the full form (what Temporal's UI server answers, and the UI reads).
   */
  payloadShorthand: boolean;
  /** Checked after routing: an error refuses the call (write actions through the UI). */
  admit?: (route: HttpRoute) => RpcError | undefined;
}

/** Temporal's limit on an HTTP API request body. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ApiHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Calls still running (long polls among them). */
  readonly inFlight: number;
  /** Ends every running call (long polls answer at once): for shutdown. */
  cancelAll(): void;
}

export function createApiHandler(options: ApiHandlerOptions): ApiHandler {
  const running = new Set<CallContext>();
  return {
    handle: (req, res) => {
      const ctx = new CallContext();
      running.add(ctx);
      // The client went away before the answer: end the call (a long poll stops waiting).
      res.once('close', () => ctx.cancel());
      serve(options, req, res, ctx)
        .catch((err: unknown) => sendJson(res, 500, statusJson(status.INTERNAL, err instanceof Error ? err.message : String(err)), false))
        .finally(() => running.delete(ctx));
    },
    get inFlight() {
      return running.size;
    },
    cancelAll: () => {
      for (const ctx of running) ctx.cancel();
    },
  };
}

async function serve(options: ApiHandlerOptions, req: IncomingMessage, res: ServerResponse, ctx: CallContext): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const form = responseForm(req, url.searchParams, options.payloadShorthand);
  const fail = (code: status, message: string, httpStatus = httpStatusOf(code)) => sendJson(res, httpStatus, statusJson(code, message), form.pretty);
  const segments = pathSegments(url.pathname);
  if (!segments) return fail(status.INVALID_ARGUMENT, `the path ${url.pathname} is not validly percent-encoded`);
  const match = matchRoute(options.routes, req.method ?? 'GET', segments);
  if (!('route' in match)) {
    if (match.otherVerbs.length > 0) {
      res.setHeader('Allow', [...new Set(match.otherVerbs)].map((verb) => verb.toUpperCase()).join(', '));
      return fail(status.UNIMPLEMENTED, `${req.method} is not allowed on ${url.pathname}`, 405);
    }
    return fail(
      status.UNIMPLEMENTED,
      `temporal-lite does not serve ${req.method} ${url.pathname}: no such Temporal HTTP API route, or not one temporal-lite implements`,
    );
  }
  const refusal = options.admit?.(match.route);
  if (refusal) return fail(refusal.code, refusal.message);
  const service = options.services.get(match.route.serviceName);
  if (!service) return fail(status.UNIMPLEMENTED, `temporal-lite does not serve ${match.route.serviceName}`);
  let request: Record<string, unknown>;
  try {
    request = decodeRequest(match, url.searchParams, await readJsonBody(req), form.payloadShorthand);
  } catch (err) {
    if (err instanceof RpcError) return fail(err.code, err.message);
    throw err;
  }
  const { route } = match;
  const outcome = await invokeHandler(route.serviceName, route.method.name, service.handlers[route.method.name], request, ctx, service.options);
  if (res.destroyed) return;
  if ('error' in outcome) return fail(outcome.error.code, outcome.error.message);
  const responseType = root.lookupService(route.serviceName).resolveAll().methods[route.method.name].resolvedResponseType;
  const json = encodedMessageToJson(route.method.resolvedResponseType, serializeWithRawHistory(responseType, outcome.response), {
    payloadShorthand: form.payloadShorthand,
  });
  sendJson(res, 200, json, form.pretty);
}

/** The request in the shape gRPC's decoder gives handlers (Plain): through the reflection and back. */
function decodeRequest(match: RouteMatch, query: URLSearchParams, body: Json | undefined, payloadShorthand: boolean): Record<string, unknown> {
  const bound = bindRequest(match, query, body, { payloadShorthand });
  const type = match.route.method.resolvedRequestType;
  try {
    return type.toObject(type.fromObject(bound), TO_OBJECT);
  } catch (err) {
    throw new RpcError(status.INVALID_ARGUMENT, `invalid request: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * How the response is written. As Temporal's HTTP API: `?pretty` indents, and payloads take the
 * shorthand unless `?noPayloadShorthand` or an Accept of application/json+no-payload-shorthand.
 */
function responseForm(req: IncomingMessage, query: URLSearchParams, shorthandByDefault: boolean): { pretty: boolean; payloadShorthand: boolean } {
  const accept = req.headers.accept ?? '';
  return {
    pretty: query.has('pretty') || accept.includes('application/json+pretty'),
    payloadShorthand: shorthandByDefault && !query.has('noPayloadShorthand') && !accept.includes('no-payload-shorthand'),
  };
}

async function readJsonBody(req: IncomingMessage): Promise<Json | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new RpcError(status.RESOURCE_EXHAUSTED, `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return parseJson(text);
  } catch (err) {
    throw new RpcError(status.INVALID_ARGUMENT, `the request body is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function parseJson(text: string): Json {
  return JSON.parse(text);
}

export function sendJson(res: ServerResponse, httpStatus: number, body: Json, pretty: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const text = pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.writeHead(httpStatus, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
