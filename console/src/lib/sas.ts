/**
 * IoT Hub service SAS tokens computed in the page with WebCrypto
 * (https://learn.microsoft.com/azure/iot-hub/authenticate-authorize-sas): sig =
 * base64(HMAC-SHA256(base64decode(key), sr + "\n" + se)), sr the URL-encoded host name. The key never
 * leaves the page; only tokens are sent, in Authorization headers.
 */
export interface Credentials {
  hostName: string;
  keyName: string;
  /** The policy's key, base64. */
  key: string;
}

export class CredentialsError extends Error {}

/** URL encoding as the Azure SDKs do it: encodeURIComponent plus ! ' ( ) *. */
const sdkEncode = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16)}`);

/** `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…` (the portal's service connection string). */
export function parseConnectionString(text: string): Credentials {
  const fields = new Map<string, string>();
  for (const part of text.trim().split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const field = (name: string): string => {
    const value = fields.get(name.toLowerCase());
    if (!value) throw new CredentialsError(`The connection string has no ${name}= part`);
    return value;
  };
  if (fields.has('deviceid')) throw new CredentialsError('This is a device connection string: the console needs a service policy (SharedAccessKeyName)');
  return { hostName: field('HostName'), keyName: field('SharedAccessKeyName'), key: field('SharedAccessKey') };
}

function keyBytes(key: string): Uint8Array<ArrayBuffer> {
  let binary: string;
  try {
    binary = atob(key);
  } catch {
    throw new CredentialsError('The key is not base64');
  }
  if (binary.length === 0) throw new CredentialsError('The key is empty');
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

/** Checks the key's form at once (sign-in says so before asking the hub). */
export const assertKey = (key: string): void => void keyBytes(key);

const base64 = (bytes: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(bytes)));

/** A token for the hub signed with the policy's key, valid until `expiresAt`. */
export async function createSasToken(credentials: Credentials, expiresAt: Date): Promise<string> {
  if (!globalThis.crypto?.subtle) throw new CredentialsError('This page needs WebCrypto: open it over HTTPS (or on localhost)');
  const sr = sdkEncode(credentials.hostName.toLowerCase());
  const se = String(Math.floor(expiresAt.getTime() / 1000));
  const hmac = await crypto.subtle.importKey('raw', keyBytes(credentials.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(`${sr}\n${se}`));
  return `SharedAccessSignature sr=${sr}&sig=${sdkEncode(base64(sig))}&se=${se}&skn=${sdkEncode(credentials.keyName)}`;
}
