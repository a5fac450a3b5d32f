import assert from 'node:assert/strict';
import https from 'node:https';
import fc from 'fast-check';
import type { Hub } from '../../src/hub.js';
import { assertHubError, hubRequest, type HubRequest, type HubResponse } from '../helpers/hub-http.js';
import { jsonValue, mutatedJson, objectOf, plainObject, rawBodies, recordAsJson, type Json } from './json-bodies.js';
import { continuationCase, queryText } from './query-texts.js';
import { shortlyReported } from './report.js';

/**
 * The REST fuzz against a running hub: twin PATCH/PUT, device PUT, query and job PUT requests with
 * valid-looking, mutated and raw bodies, odd headers and odd path ids. Every answer is a 2xx or a
 * 4xx in IoT Hub's error format (never a 5xx); after a 4xx the resource reads back exactly as
 * before (nothing half-written), after a 2xx as the answer said; and no body may pollute
 * Object.prototype of the hub process (it runs in this process).
 */
export interface RestFuzzFigures {
  requests: number;
  /** Per target: answers by status class. */
  byTarget: Record<string, { ok: number; refused: number }>;
}

/** A body as sent: a JSON value, or raw text (or bytes) that may not be JSON at all. */
type Body = { json: Json } | { raw: string | Buffer };

const asBody = (json: Json): Body => ({ json });
const asRaw = (raw: string | Buffer): Body => ({ raw });

/** Valid-looking documents (mutated), any JSON at all, raw texts, invalid UTF-8: a request body of each kind. */
function bodies(valid: fc.Arbitrary<Json>): fc.Arbitrary<Body> {
  return fc.oneof(
    { weight: 5, arbitrary: valid.map(asBody) },
    { weight: 5, arbitrary: mutatedJson(valid).map(asBody) },
    { weight: 1, arbitrary: jsonValue.map(asBody) },
    { weight: 2, arbitrary: rawBodies(valid).map(asRaw) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => asRaw(Buffer.concat([Buffer.from('{"tags":{"a":"'), bytes, Buffer.from('"}}')]))) },
  );
}

const twinBody: fc.Arbitrary<Json> = fc
  .record(
    {
      tags: plainObject,
      properties: fc.record(
        { desired: plainObject, reported: fc.oneof({ weight: 4, arbitrary: fc.constant(objectOf([])) }, { weight: 1, arbitrary: plainObject }) },
        { requiredKeys: [] },
      ),
      etag: fc.constantFrom<Json>('*', null, 'AAAAAAAAAAE='),
      deviceId: fc.constantFrom<Json>(null, 'fz-twin-0'),
      version: fc.constantFrom<Json>(null, 3),
    },
    { requiredKeys: [] },
  )
  .map(recordAsJson);

const deviceBody: fc.Arbitrary<Json> = fc
  .record(
    {
      deviceId: fc.constantFrom<Json>(null, 'fz-dev-0', 'other'),
      status: fc.constantFrom<Json>('enabled', 'disabled', null, 'Enabled', ''),
      statusReason: fc.oneof(fc.constant<Json>(null), fc.string({ maxLength: 10 }), fc.constantFrom('r'.repeat(129), 'a\u0000', 'a\ud800')),
      authentication: fc.record(
        {
          type: fc.constantFrom<Json>('sas', null, 'selfSigned', 'none'),
          symmetricKey: fc.record(
            {
              primaryKey: fc.constantFrom<Json>(null, '', Buffer.alloc(32, 1).toString('base64'), 'short', Buffer.alloc(65, 2).toString('base64')),
              secondaryKey: fc.constantFrom<Json>(null, Buffer.alloc(16, 3).toString('base64')),
            },
            { requiredKeys: [] },
          ),
        },
        { requiredKeys: [] },
      ),
      capabilities: fc.record({ iotEdge: fc.constantFrom<Json>(true, false, null, 'yes') }, { requiredKeys: [] }),
      etag: fc.constantFrom<Json>(null, 'MQ=='),
    },
    { requiredKeys: [] },
  )
  .map(recordAsJson);

/** Percent-encodes every UTF-8 byte (lone surrogates become U+FFFD, as any client would send them). */
const percentEncoded = (text: string) => [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

/** A path segment for an id: mostly a known one, else an odd one (invalid characters, bad escapes, very long). */
function pathId(known: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }).map(percentEncoded) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%00', '%2F', '..', 'a%2Fb', '%E2%82', 'x'.repeat(129), 'x'.repeat(5000), "a'b", 'a%20b') },
  );
}

const headerValue = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '-1',
    '1',
    '7',
    ' 7 ',
    '1000',
    '1001',
    '1e3',
    '0x10',
    '9'.repeat(30),
    'abc',
    '*',
    '"*"',
    'W/"x"',
    '"AAAAAAAAAAE="',
    'AAAAAAAAAAE=',
  ),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 20 }),
);

/** A fuzz session's REST client: one keep-alive agent, answers checked for the 2xx-or-IoT-Hub-4xx rule. */
class RestProbe {
  readonly figures: RestFuzzFigures = { requests: 0, byTarget: {} };
  private readonly agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  private readonly prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

  constructor(readonly hub: Hub) {}

  /** Sends a request; asserts a 2xx or a 4xx in IoT Hub's format; returns the response. */
  async send(target: string, request: HubRequest): Promise<HubResponse> {
    const response = await hubRequest(this.hub, { ...request, agent: this.agent });
    this.figures.requests++;
    const counts = (this.figures.byTarget[target] ??= { ok: 0, refused: 0 });
    if (response.status >= 200 && response.status < 300) {
      counts.ok++;
    } else {
      assert.ok(response.status >= 400 && response.status < 500, `${target}: ${response.status} ${response.text.slice(0, 300)}`);
      assertHubError(response, response.status, String(response.headers['iothub-errorcode']));
      counts.refused++;
    }
    assert.deepStrictEqual(Object.getOwnPropertyNames(Object.prototype).sort(), this.prototypeKeys, 'Object.prototype was polluted');
    return response;
  }

  read(path: string): Promise<HubResponse> {
    return hubRequest(this.hub, { method: 'GET', path, agent: this.agent });
  }

  close(): void {
    this.agent.destroy();
  }
}

const bodyOf = (body: Body): Pick<HubRequest, 'body' | 'rawBody'> => ('json' in body ? { body: body.json } : { rawBody: body.raw });

export interface RestFuzzOptions {
  hub: Hub;
  runs: number;
  seed: number;
}

/** Twin PATCH/PUT, device PUT and query requests; throws fast-check's report on the first failure. */
export async function runRegistryFuzz({ hub, runs, seed }: RestFuzzOptions): Promise<RestFuzzFigures> {
  const twinIds = ['fz-twin-0', 'fz-twin-1'];
  const deviceIds = ['fz-dev-0', 'fz-dev-1'];
  for (const deviceId of [...twinIds, ...deviceIds]) await hub.store.createDevice({ deviceId });
  const probe = new RestProbe(hub);
  const deviceCount = async () => Number((await hub.store.db.query<{ n: number | string }>('SELECT count(*) AS n FROM devices'))[0]!.n);
  let created = 0;

  /** Writes, then reads the resource back: unchanged after a refusal, as answered after a success. */
  async function writeAndReadBack(target: string, readPath: string, request: HubRequest): Promise<void> {
    const before = await probe.read(readPath);
    const devicesBefore = await deviceCount();
    const response = await probe.send(target, request);
    const after = await probe.read(readPath);
    if (response.status >= 300) {
      // An error read back differs only in its tracking line.
      const resource = (read: HubResponse) => (read.status === 200 ? read.body : { status: read.status, Message: read.body?.Message });
      assert.deepStrictEqual(resource(after), resource(before), `${target}: refused, yet ${readPath} changed`);
      assert.equal(await deviceCount(), devicesBefore, `${target}: refused, yet the number of devices changed`);
    } else {
      assert.equal(after.status, 200, `${target}: accepted, yet ${readPath} answers ${after.status}`);
      assert.deepStrictEqual(after.body, response.body, `${target}: accepted, yet ${readPath} differs from the answer`);
    }
  }

  const twinCase = fc.record({
    target: fc.constant('twin' as const),
    method: fc.constantFrom('PATCH', 'PUT'),
    id: pathId(twinIds),
    ifMatch: fc.option(headerValue, { nil: undefined, freq: 2 }),
    body: bodies(twinBody),
  });
  const deviceCase = fc.record({
    target: fc.constant('device' as const),
    replace: fc.boolean(),
    id: pathId(deviceIds),
    ifMatch: fc.oneof(fc.constant('*'), headerValue),
    body: bodies(deviceBody),
  });
  const queryCase = fc.record({
    target: fc.constant('query' as const),
    body: fc.oneof(
      { weight: 3, arbitrary: queryText.map((query) => asBody(objectOf([['query', query]]))) },
      { weight: 1, arbitrary: bodies(queryText.map((query) => objectOf([['query', query]]))) },
    ),
    pageSize: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: headerValue }),
    continuation: continuationCase,
  });

  try {
    await fc.assert(
      fc.asyncProperty(
        shortlyReported(fc.oneof({ weight: 3, arbitrary: twinCase }, { weight: 2, arbitrary: deviceCase }, { weight: 2, arbitrary: queryCase })),
        async (input) => {
          if (input.target === 'twin') {
            const headers = input.ifMatch === undefined ? undefined : { 'if-match': input.ifMatch };
            await writeAndReadBack(`${input.method} /twins`, `/twins/${input.id}`, {
              method: input.method,
              path: `/twins/${input.id}`,
              headers,
              ...bodyOf(input.body),
            });
          } else if (input.target === 'device') {
            // A create goes to a fresh id (a known one is taken, a 409); a replace to a known one, with If-Match.
            const id = input.replace || !deviceIds.includes(input.id) ? input.id : `fz-new-${created++}`;
            const headers = input.replace ? { 'if-match': input.ifMatch } : undefined;
            await writeAndReadBack('PUT /devices', `/devices/${id}`, { method: 'PUT', path: `/devices/${id}`, headers, ...bodyOf(input.body) });
          } else {
            const headers: Record<string, string> = {};
            if (input.pageSize !== undefined) headers['x-ms-max-item-count'] = input.pageSize;
            if (input.continuation.kind === 'raw') headers['x-ms-continuation'] = Buffer.from(input.continuation.token).toString('base64');
            const response = await probe.send('POST /devices/query', { method: 'POST', path: '/devices/query', headers, ...bodyOf(input.body) });
            if (response.status === 200) assert.ok(Array.isArray(response.body), 'a query answers a JSON array');
          }
        },
      ),
      { seed, numRuns: runs, endOnFailure: true, includeErrorInReport: true },
    );
  } finally {
    probe.close();
  }
  return probe.figures;
}

const FAR = '2099-01-01T00:00:00Z';

const jobCondition = fc.constantFrom<Json>(
  '*',
  "deviceId = 'fz-job-0'",
  'tags.a = 1',
  'FROM devices WHERE properties.reported.x > 2',
  "deviceId IN ['a', 'b']",
);
const methodJob: fc.Arbitrary<Json> = fc
  .record({
    type: fc.constant('scheduleDeviceMethod'),
    queryCondition: jobCondition,
    cloudToDeviceMethod: fc.record(
      {
        methodName: fc.constantFrom<Json>('reboot', 'm', 'a'.repeat(100)),
        payload: fc.oneof(plainObject, jsonValue),
        responseTimeoutInSeconds: fc.constantFrom<Json>(5, 30, 300),
        connectTimeoutInSeconds: fc.constantFrom<Json>(0, 10, 300),
      },
      { requiredKeys: ['methodName'] },
    ),
    startTime: fc.constantFrom<Json>(FAR, '2099-06-01T12:00:00.1234567Z'),
    maxExecutionTimeInSeconds: fc.constantFrom<Json>(0, 60, 3600),
  })
  .map(recordAsJson);
const twinJob: fc.Arbitrary<Json> = fc
  .record({
    type: fc.constant('scheduleUpdateTwin'),
    queryCondition: jobCondition,
    updateTwin: fc.record({ etag: fc.constantFrom<Json>('*', null), tags: plainObject, properties: fc.record({ desired: plainObject }) }, { requiredKeys: [] }),
    startTime: fc.constant<Json>(FAR),
  })
  .map(recordAsJson);

/** Job PUTs (method and twin jobs, valid-looking and mutated, odd ids); a refused job must not exist afterwards. */
export async function runJobFuzz({ hub, runs, seed }: RestFuzzOptions): Promise<RestFuzzFigures> {
  const probe = new RestProbe(hub);
  let next = 0;
  const jobCase = fc.record({
    id: fc.oneof({ weight: 12, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: pathId(['x']) }),
    body: bodies(fc.oneof(methodJob, twinJob)),
  });
  try {
    await fc.assert(
      fc.asyncProperty(shortlyReported(jobCase), async (input) => {
        const id = input.id ?? `fz-job-${next++}`;
        const response = await probe.send('PUT /jobs/v2', { method: 'PUT', path: `/jobs/v2/${id}`, ...bodyOf(input.body) });
        if (input.id !== undefined) return;
        const after = await probe.read(`/jobs/v2/${id}`);
        if (response.status >= 300) {
          assertHubError(after, 404, 'JobNotFound');
        } else {
          assert.equal(after.status, 200, after.text);
          assert.equal(after.body.jobId, id);
        }
      }),
      { seed, numRuns: runs, endOnFailure: true, includeErrorInReport: true },
    );
  } finally {
    probe.close();
  }
  return probe.figures;
}
