import { HubError } from '../errors/hub-error.js';

/**
 * Normalises an `If-Match` value. SDKs send it quoted (`"AAAAAAAAAAE="`, `"*"`), curl users often
 * unquoted; a weak `W/` prefix is tolerated. Returns undefined for "unconditional" (absent or `*`),
 * otherwise the bare etag. Malformed values are a 400, not a silent match.
 */
export function parseIfMatch(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let etag = value.trim();
  if (etag.startsWith('W/')) etag = etag.slice(2);
  if (etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"')) etag = etag.slice(1, -1);
  if (etag.length === 0 || etag.includes('"') || /[\s,]/.test(etag)) {
    throw new HubError('ArgumentInvalid', `Invalid If-Match header value '${value}': expected an etag or '*'`);
  }
  return etag === '*' ? undefined : etag;
}

/** Throws 412 PreconditionFailed unless `ifMatch` is unconditional or equals the current etag. */
export function assertEtagMatches(ifMatch: string | undefined, current: string, what: 'Device' | 'Module' | 'Twin' | 'Configuration'): void {
  const expected = parseIfMatch(ifMatch);
  if (expected !== undefined && expected !== current) {
    throw new HubError('PreconditionFailed', `Precondition failed: ${what} etag did not match, existing etag:${current} If-Match etag:${expected}`);
  }
}
