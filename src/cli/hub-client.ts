import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { createSasToken } from '../auth/sas-token.js';
import { CliError } from './command.js';
import { hubErrorLine } from './error-line.js';
import type { HubTarget } from './hub-target.js';

const API_VERSION = '2021-04-12';

export interface HubResponse<T> {
  body: T;
  headers: IncomingHttpHeaders;
}

export interface HubRequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Query parameters besides api-version. */
  query?: Record<string, string | undefined>;
}

/** The hub's REST API as the service SDKs use it: HTTPS, a fresh SAS token per request, IoT Hub errors as CliError lines. */
export class HubClient {
  constructor(private readonly target: HubTarget) {}

  get baseUrl(): string {
    return `https://${this.target.host}:${this.target.httpsPort}`;
  }

  private token(): string {
    const { hostName, keyName, key } = this.target.connection;
    return createSasToken({ sr: hostName, key, keyName, expiresAt: new Date(Date.now() + 3600_000) });
  }

  /** Sends one request; resolves with the parsed JSON body (undefined when empty), rejects with a CliError. */
  async request<T>(method: string, path: string, options: HubRequestOptions = {}): Promise<HubResponse<T>> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...options.headers };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const res = await this.send(method, path, { query: options.query, headers }, (req) => req.end(payload));
    const text = await readText(res, this.baseUrl);
    const status = res.statusCode ?? 0;
    if (status >= 300) throw new CliError(hubErrorLine(status, text), status);
    try {
      return { body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
    } catch {
      throw new CliError(`the hub at ${this.baseUrl} answered ${method} ${path} with something other than JSON`);
    }
  }

  /**
   * A request whose body (if any) is streamed from `body` and whose response is handed over as a
   * stream once its status says success (device import and export); an error status is a CliError.
   */
  async stream(method: string, path: string, options: { body?: Readable; contentType?: string } = {}): Promise<IncomingMessage> {
    const headers: Record<string, string> = options.contentType ? { 'content-type': options.contentType } : {};
    const res = await this.send(method, path, { headers }, (req) => (options.body ? options.body.pipe(req) : req.end()));
    const status = res.statusCode ?? 0;
    if (status >= 300) throw new CliError(hubErrorLine(status, await readText(res, this.baseUrl)), status);
    return res;
  }

  private send(
    method: string,
    path: string,
    options: { query?: HubRequestOptions['query']; headers: Record<string, string> },
    writeBody: (req: ReturnType<typeof https.request>) => void,
  ): Promise<IncomingMessage> {
    const query = new URLSearchParams({ 'api-version': API_VERSION });
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) query.set(name, value);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.target.host,
          port: this.target.httpsPort,
          servername: this.target.servername,
          ca: this.target.ca,
          method,
          path: `${path}?${query}`,
          headers: { authorization: this.token(), ...options.headers },
          agent: false,
        },
        resolve,
      );
      req.on('error', (err) => reject(new CliError(`cannot reach the hub at ${this.baseUrl}: ${err.message}`)));
      writeBody(req);
    });
  }

  /** Every page of a paged call (`x-ms-continuation`), concatenated, up to `limit` items. */
  async pages<T>(method: string, path: string, options: HubRequestOptions & { pageSize?: number; limit?: number }): Promise<T[]> {
    const items: T[] = [];
    let continuation: string | undefined;
    do {
      const headers: Record<string, string> = { ...options.headers };
      if (options.pageSize !== undefined) headers['x-ms-max-item-count'] = String(options.pageSize);
      if (continuation !== undefined) headers['x-ms-continuation'] = continuation;
      const page = await this.request<T[]>(method, path, { ...options, headers });
      items.push(...(page.body ?? []));
      const next = page.headers['x-ms-continuation'];
      continuation = typeof next === 'string' ? next : undefined;
    } while (continuation !== undefined && (options.limit === undefined || items.length < options.limit));
    return options.limit === undefined ? items : items.slice(0, options.limit);
  }
}

function readText(res: IncomingMessage, baseUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('error', (err) => reject(new CliError(`the hub at ${baseUrl} broke off: ${err.message}`)));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
