/**
 * A webhook receiver for tests: HTTPS on 127.0.0.1 with its own CA (which the hub is told to
 * trust), verifying each request's signature as a real receiver would. `answer` decides each
 * response: a status code, or 'hang' to hold the request open until the receiver closes.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { createCertificateAuthority, issueServerCertificate } from '../../../src/tls/certificates.js';
import { verifySignature } from '../../../src/webhooks/signature.js';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The parsed CloudEvent. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the fields it asserts
  event: any;
  verified: boolean;
  /** The status answered ('hang': none). */
  answered: number | 'hang';
}

export type Answer = (request: Omit<ReceivedRequest, 'answered'>, index: number) => number | 'hang' | Promise<number | 'hang'>;

export interface WebhookReceiver {
  url: string;
  /** The receiver's CA certificate (PEM): what HUB_WEBHOOKS_CA_FILE would hold. */
  ca: string;
  requests: ReceivedRequest[];
  /** Requests answered 2xx: what the receiver accepted. */
  accepted(): ReceivedRequest[];
  /** Resolves once `count` requests arrived. */
  received(count: number): Promise<void>;
  close(): Promise<void>;
}

let certificates: { ca: string; key: string; cert: string } | undefined;

/** The receivers' certificates (one CA for every receiver of the process). */
function receiverCertificates(): { ca: string; key: string; cert: string } {
  if (!certificates) {
    const ca = createCertificateAuthority('webhook receiver test CA');
    const server = issueServerCertificate(ca, ['127.0.0.1', 'localhost']);
    certificates = { ca: ca.certPem, key: server.keyPem, cert: server.certPem };
  }
  return certificates;
}

/** The CA of every receiver (PEM): what the hub is told to trust (HUB_WEBHOOKS_CA_FILE). */
export const receiverCa = (): string => receiverCertificates().ca;

export async function startWebhookReceiver(secret: string, answer: Answer = () => 200): Promise<WebhookReceiver> {
  const tls = receiverCertificates();
  const requests: ReceivedRequest[] = [];
  const hanging: ServerResponse[] = [];
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]));
      const received = { headers: req.headers, body, event: JSON.parse(body), verified: verifySignature(secret, headers, body) };
      const index = requests.length;
      const entry: ReceivedRequest = { ...received, answered: 'hang' };
      requests.push(entry);
      for (const waiter of waiters.filter((each) => requests.length >= each.count)) waiter.resolve();
      const status = await answer(received, index);
      entry.answered = status;
      if (status === 'hang') hanging.push(res);
      else res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/events`,
    ca: tls.ca,
    requests,
    accepted: () => requests.filter((request) => typeof request.answered === 'number' && request.answered >= 200 && request.answered < 300),
    received: (count) => (requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
