import assert from 'node:assert/strict';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { createSasToken } from '../../src/auth/sas-token.js';
import type { Hub } from '../../src/hub.js';

export interface HubResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body (undefined when empty): JSON of any shape, which the tests' assertions check. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields it asserts
  body: any;
}

export interface HubRequest {
  method: string;
  /** Path without the api-version (added unless `apiVersion` is null). */
  path: string;
  /** JSON-serialised unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  apiVersion?: string | null;
  /** A policy name (token signed with its key), an explicit Authorization value, or null for none. */
  auth?: string | { authorization: string } | null;
  /** Reuse connections (e.g. a keep-alive agent); default a new connection per request. */
  agent?: https.Agent;
}

/** A service SAS token for one of the hub's policies, as the SDKs make them. */
export function serviceToken(hub: Hub, policyName = 'iothubowner', expiresAt = new Date(Date.now() + 3600_000)): string {
  const policy = hub.policies.find((candidate) => candidate.keyName === policyName);
  if (!policy) throw new Error(`no policy ${policyName}`);
  return createSasToken({ sr: hub.hostName, key: policy.primaryKey, keyName: policy.keyName, expiresAt });
}

/** A raw HTTPS request to the hub's REST API, trusting its CA. */
export function hubRequest(hub: Hub, request: HubRequest): Promise<HubResponse> {
  const apiVersion = request.apiVersion === undefined ? '2021-04-12' : request.apiVersion;
  const separator = request.path.includes('?') ? '&' : '?';
  const path = apiVersion === null ? request.path : `${request.path}${separator}api-version=${apiVersion}`;
  const auth = request.auth === undefined ? 'iothubowner' : request.auth;
  const headers: Record<string, string> = { ...request.headers };
  if (typeof auth === 'string') headers.authorization = serviceToken(hub, auth);
  else if (auth) headers.authorization = auth.authorization;
  const payload = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json; charset=utf-8';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: hub.api.httpsPort,
        ca: hub.tls.ca,
        method: request.method,
        path,
        headers,
        agent: request.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Asserts an IoT Hub error response: status, `iothub-errorcode`, JSON envelope 1 with the code (and text). */
export function assertHubError(response: HubResponse, status: number, code: string, text?: RegExp): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.headers['iothub-errorcode'], code);
  assert.match(response.headers['content-type'] ?? '', /^application\/json/);
  assert.ok(response.body.Message.startsWith(`ErrorCode:${code};`), response.body.Message);
  assert.match(response.body.ExceptionMessage, /^Tracking ID:[0-9a-f]{32}-G:0-TimeStamp:\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
  if (text) assert.match(response.body.Message, text);
}
