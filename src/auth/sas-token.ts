import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * IoT Hub shared access signatures: `SharedAccessSignature sr=<resource>&sig=<sig>&se=<expiry>[&skn=<key name>]`
 * with sig = base64(HMAC-SHA256(base64decode(key), sr + "\n" + se)). `sr` is signed exactly as it
 * appears in the token (SDKs send it raw or URL-encoded), so it is never rebuilt here.
 */
export interface SasToken {
  /** The resource URI as it appears in the token (not decoded). */
  sr: string;
  /** The decoded base64 signature. */
  sig: string;
  /** Expiry, Unix seconds, as sent. */
  se: string;
  /** Key name (decoded), present for policy tokens. */
  skn?: string;
}

export class SasTokenError extends Error {}

const PREFIX = 'SharedAccessSignature ';

/** Parses a token; fields may come in any order. Throws SasTokenError with the reason when malformed. */
export function parseSasToken(value: string): SasToken {
  if (value.slice(0, PREFIX.length).toLowerCase() !== PREFIX.toLowerCase()) {
    throw new SasTokenError(`the token must start with '${PREFIX.trim()}'`);
  }
  const fields = new Map<string, string>();
  for (const pair of value.slice(PREFIX.length).trim().split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SasTokenError(`malformed field '${pair}'`);
    const name = pair.slice(0, eq);
    if (fields.has(name)) throw new SasTokenError(`field '${name}' appears twice`);
    fields.set(name, pair.slice(eq + 1));
  }
  const required = (name: string): string => {
    const field = fields.get(name);
    if (!field) throw new SasTokenError(`field '${name}' is missing`);
    return field;
  };
  const decode = (name: string, raw: string): string => {
    try {
      return decodeURIComponent(raw);
    } catch {
      throw new SasTokenError(`field '${name}' is not valid URL encoding`);
    }
  };
  const sr = required('sr');
  const se = required('se');
  if (!/^\d{1,15}$/.test(se)) throw new SasTokenError(`expiry 'se' must be Unix seconds, not '${se}'`);
  const skn = fields.get('skn');
  return { sr, se, sig: decode('sig', required('sig')), skn: skn === undefined ? undefined : decode('skn', skn) };
}

export function sasSignature(sr: string, se: string, base64Key: string): string {
  return createHmac('sha256', Buffer.from(base64Key, 'base64')).update(`${sr}\n${se}`).digest('base64');
}

/** Constant-time check of the token's signature against one key. */
export function hasValidSignature(token: SasToken, base64Key: string): boolean {
  const expected = Buffer.from(sasSignature(token.sr, token.se, base64Key));
  const given = Buffer.from(token.sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** URL encoding as the Azure SDKs do it: encodeURIComponent plus ! ' ( ) * (lowercase hex, like the SDK). */
const sdkEncode = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`);

/** Builds a token the way the official SDKs do (for tests, tools and documentation examples). */
export function createSasToken(options: { sr: string; key: string; keyName?: string; expiresAt: Date }): string {
  const se = String(Math.floor(options.expiresAt.getTime() / 1000));
  const sig = sdkEncode(sasSignature(options.sr, se, options.key));
  const skn = options.keyName === undefined ? '' : `&skn=${sdkEncode(options.keyName)}`;
  return `${PREFIX}sr=${options.sr}&sig=${sig}${skn}&se=${se}`;
}
