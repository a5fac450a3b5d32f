import { createSasToken, type Credentials } from './sas.js';

export const API_VERSION = '2021-04-12';
const TOKEN_LIFETIME_MS = 60 * 60_000;
const TOKEN_RENEW_MS = 5 * 60_000;

/** A refusal of the hub, as its error envelope says it (`ErrorCode:<Name>;<text>`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
}

/** The envelope's text without its code, or the raw body. */
export function errorOf(status: number, body: string): ApiError {
  let message = body || `HTTP ${status}`;
  let code = `HTTP${status}`;
  try {
    const parsed: unknown = JSON.parse(body);
    const text = typeof parsed === 'object' && parsed !== null && 'Message' in parsed ? parsed.Message : undefined;
    if (typeof text === 'string') {
      const match = /^ErrorCode:([A-Za-z]+);([\s\S]*)$/.exec(text);
      [code, message] = match ? [match[1]!, match[2]!] : [code, text];
    }
  } catch {
    // Not the hub's envelope (a proxy's page): its text as it is.
  }
  return new ApiError(status, code, message);
}

/** The REST API with the signed-in policy: a fresh SAS token per hour, computed in the page. */
export class HubApi {
  private token?: { value: string; expiresAt: number };

  constructor(readonly credentials: Credentials) {}

  async authorization(): Promise<{ value: string; expiresAt: number }> {
    if (!this.token || this.token.expiresAt - Date.now() < TOKEN_RENEW_MS) {
      const expiresAt = Date.now() + TOKEN_LIFETIME_MS;
      this.token = { value: await createSasToken(this.credentials, new Date(expiresAt)), expiresAt };
    }
    return this.token;
  }

  url(path: string, query: Record<string, string | undefined> = {}): string {
    const params = new URLSearchParams({ 'api-version': API_VERSION });
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, value);
    return `${path}?${params}`;
  }

  async fetch(
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string>; query?: Record<string, string | undefined>; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { Authorization: (await this.authorization()).value, ...init.headers };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(this.url(path, init.query), {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
      cache: 'no-store',
    });
    if (!response.ok) throw errorOf(response.status, await response.text());
    return response;
  }

  async request<T>(path: string, init: Parameters<HubApi['fetch']>[1] = {}): Promise<ApiResponse<T>> {
    const response = await this.fetch(path, init);
    return { data: (await response.json()) as T, headers: response.headers };
  }

  /** One page of a query (`POST /devices/query`), `x-ms-continuation` for the next. */
  async query<T>(query: string, pageSize: number, continuation?: string, signal?: AbortSignal): Promise<{ items: T[]; continuation?: string }> {
    const headers: Record<string, string> = { 'x-ms-max-item-count': String(pageSize) };
    if (continuation) headers['x-ms-continuation'] = continuation;
    const { data, headers: answer } = await this.request<T[]>('/devices/query', { method: 'POST', body: { query }, headers, signal });
    return { items: data, continuation: answer.get('x-ms-continuation') ?? undefined };
  }
}
