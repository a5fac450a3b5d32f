import { createHash } from 'node:crypto';
import type { Query } from './ast.js';
import { invalidQuery } from './limits.js';
import { printQuery } from './printer.js';

/**
 * Page sizes: x-ms-max-item-count defaults to 100 (the documented page size); larger requests are
 * honoured up to 1000 (the 2016 limit; the service "may use a different value"), so clients that
 * follow continuations work either way and big job/export reads take fewer round trips.
 */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** The page size for an `x-ms-max-item-count` header value (absent or empty: the default). */
export function pageSizeFromHeader(header: string | undefined): number {
  if (header === undefined || header.trim() === '') return DEFAULT_PAGE_SIZE;
  if (!/^\s*\d+\s*$/.test(header)) throw invalidQuery(`x-ms-max-item-count must be a positive integer, got '${header}'`);
  return checkedPageSize(Number(header));
}

export function checkedPageSize(size: number): number {
  if (!Number.isInteger(size) || size < 1) throw invalidQuery(`The page size must be a positive integer, got ${size}`);
  return Math.min(size, MAX_PAGE_SIZE);
}

/**
 * Where the next page starts: the number of items already returned (the offset for aggregate
 * queries, the TOP budget used for the others) and, for keyset paging, the last row's key.
 */
export interface PageCursor {
  returned: number;
  after?: string[];
}

interface TokenBody {
  /** Fingerprint of the query, so a token is only accepted for the query that produced it. */
  q: string;
  n: number;
  k?: string[];
}

/** No stored key holds U+0000 or an unpaired surrogate (and PostgreSQL could not compare with one). */
const UNSTORABLE_KEY = /[\u0000\p{Surrogate}]/u;

const fingerprint = (query: Query): string => createHash('sha256').update(printQuery(query)).digest('base64url').slice(0, 16);

export function encodeContinuation(query: Query, cursor: PageCursor): string {
  const body: TokenBody = { q: fingerprint(query), n: cursor.returned, ...(cursor.after && { k: cursor.after }) };
  return Buffer.from(JSON.stringify(body)).toString('base64');
}

/** Reads an `x-ms-continuation` token; `keyLength` is the number of key columns for keyset paging, 0 for offsets. */
export function decodeContinuation(query: Query, token: string, keyLength: number): PageCursor {
  const invalid = () => invalidQuery('The continuation token is not valid');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof body !== 'object' || body === null) throw invalid();
  const { q, n, k } = body as Partial<TokenBody>;
  const keysValid =
    keyLength === 0 ? k === undefined : Array.isArray(k) && k.length === keyLength && k.every((key) => typeof key === 'string' && !UNSTORABLE_KEY.test(key));
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || !keysValid) throw invalid();
  if (q !== fingerprint(query)) throw invalidQuery('The continuation token belongs to a different query');
  return k === undefined ? { returned: n } : { returned: n, after: k };
}
