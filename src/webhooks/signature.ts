import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signing as the Standard Webhooks specification has it
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * `webhook-signature: v1,<base64 HMAC-SHA256(secret, "{webhook-id}.{webhook-timestamp}.{body}")>`,
 * the timestamp in Unix seconds at each attempt, so receivers can refuse old (replayed) requests
 * and repeated ids. Here the secret is used as given (its UTF-8 bytes).
 */
export const SIGNATURE_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

export function signature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export function signedHeaders(secret: string, id: string, body: string, at = new Date()): Record<string, string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    [SIGNATURE_HEADERS.id]: id,
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.signature]: signature(secret, id, timestamp, body),
  };
}

/**
 * A receiver's check (the README shows it): a signature of the header's list matches, and the
 * timestamp is within `toleranceSeconds` of now.
 */
export function verifySignature(secret: string, headers: Record<string, string | undefined>, body: string, now = new Date(), toleranceSeconds = 300): boolean {
  const id = headers[SIGNATURE_HEADERS.id];
  const timestamp = Number(headers[SIGNATURE_HEADERS.timestamp]);
  const given = headers[SIGNATURE_HEADERS.signature];
  if (!id || !given || !Number.isInteger(timestamp) || Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signature(secret, id, timestamp, body));
  return given.split(' ').some((candidate) => candidate.length === expected.length && timingSafeEqual(Buffer.from(candidate), expected));
}
