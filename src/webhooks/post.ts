import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { guardedLookup, urlRefusal, type TargetPolicy } from './target.js';

export interface PostOptions {
  policy: TargetPolicy;
  /** Extra CA certificates (PEM) to trust besides the public roots. */
  ca?: string;
  /** The whole exchange, connect to answer. */
  timeoutMs: number;
}

/** A refused target or an unusable answer: the delivery attempt failed, with this reason. */
export class DeliveryError extends Error {}

/**
 * POSTs one signed delivery and resolves with the receiver's status code (any: the caller decides).
 * The target is checked against the policy again (it may have changed) and every address its name
 * resolves to as well; redirects are not followed.
 */
export function postDelivery(target: string, body: string, headers: Record<string, string>, options: PostOptions): Promise<number> {
  const refusal = urlRefusal(target, options.policy);
  if (refusal) return Promise.reject(new DeliveryError(`The target URL is refused: ${refusal}`));
  const url = new URL(target);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/cloudevents+json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'iothub-jobs-webhooks',
      },
      lookup: guardedLookup(url.protocol, options.policy),
      agent: false,
      ...(secure && options.ca && { ca: [...rootCertificates, options.ca] }),
    });
    const timer = setTimeout(() => request.destroy(new DeliveryError(`No answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    request.on('response', (response) => {
      response.resume(); // the body is not used; reading it frees the socket
      response.on('end', () => {
        clearTimeout(timer);
        resolve(response.statusCode ?? 0);
      });
    });
    request.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    request.end(body);
  });
}
