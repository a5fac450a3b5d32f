import fc from 'fast-check';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { classifyDevicePublish } from '../../src/gateway/topics.js';
import { jsonValue } from './json-bodies.js';

/**
 * Client-to-broker traffic for the MQTT fuzz (after a valid CONNECT): packets built with mqtt-packet
 * on IoT Hub's topics and on hostile ones, sometimes with their bytes mutated, and an oracle saying
 * what MQTT 3.1.1 (and IoT Hub) requires of the broker for a given byte stream.
 */

/** The device a fuzzed connection speaks for, and another one whose topics it must not reach. */
export interface Identities {
  self: string;
  other: string;
}

const rid = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 99_999 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('', 'a', '%23', '%2B', '%00', '%2F', 'x&y=1', '😀', '%E0%A4', '1%26$rid=2', '$rid') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
const statusText = fc.oneof(fc.constantFrom('200', '404', '500', '-1', '0', '999999999', '1000000000', 'abc', ''), fc.integer().map(String));
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom('$.ct=application%2Fjson', 'a=1&b=2', '%', '%zz', '$.mid=1&$.uid=x', 'k=😀'),
  fc.string({ unit: 'binary', maxLength: 10 }),
);

/** Topic names for PUBLISH: the device's own ones (well formed or not), other devices', the hub's own, and hostile ones. */
export function topicNames({ self, other }: Identities): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: query.map((q) => `devices/${self}/messages/events/${q}`) },
    { weight: 3, arbitrary: rid.map((r) => `$iothub/twin/GET/?$rid=${r}`) },
    { weight: 4, arbitrary: rid.map((r) => `$iothub/twin/PATCH/properties/reported/?$rid=${r}`) },
    { weight: 2, arbitrary: fc.tuple(statusText, rid).map(([status, r]) => `$iothub/methods/res/${status}/?$rid=${r}`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `devices/${other}/messages/events/`,
        `devices/${other}/messages/devicebound/`,
        `devices/${self}/messages/devicebound/`,
        '$iothub/twin/PATCH/properties/desired/?$version=9',
        `$iothub/methods/POST/reboot/?$rid=1`,
        '$SYS/broker',
        `devices/${self}/messages/events`,
        `devices/${self.toUpperCase()}/messages/events/`,
        '$iothub/twin/GET',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '#',
        '+',
        'a/+/b',
        'a/#',
        '',
        '/',
        '//',
        'a\u0000b',
        `devices/${self}/messages/events/\u0000`,
        '😀',
        'a/'.repeat(120),
        'x'.repeat(5000),
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
    { weight: 1, arbitrary: fc.tuple(query, fc.nat()).map(([q, at]) => withNull(`devices/${self}/messages/events/${q}`, at)) },
  );
}

/** The text with U+0000 put in at a position (modulo its length). */
const withNull = (text: string, at: number) => `${text.slice(0, at % (text.length + 1))}\u0000${text.slice(at % (text.length + 1))}`;

/** Topic filters for SUBSCRIBE/UNSUBSCRIBE: the ones IoT Hub grants, other devices' trees, everything, malformed. */
export function topicFilters({ self, other }: Identities): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '$iothub/methods/POST/#',
        '$iothub/twin/res/#',
        '$iothub/twin/PATCH/properties/desired/#',
        `devices/${self}/messages/devicebound/#`,
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        `devices/${other}/messages/devicebound/#`,
        `devices/${other}/#`,
        'devices/+/messages/events/#',
        '#',
        '+/#',
        '$SYS/#',
        '$iothub/#',
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom('a/#/b', 'a#', '#/a', 'a+', '+a/b', '', 'a\u0000', '$iothub/\u0000/#', 'a/'.repeat(120) + '#') },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
    { weight: 1, arbitrary: fc.nat().map((at) => withNull('$iothub/methods/POST/#', at)) },
  );
}

const payload = fc.oneof(
  { weight: 4, arbitrary: jsonValue.map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', 'null', '{}', '[]', '{"a":', '"\\u0000"', '{"\\ud800":1}', '{"__proto__":{"polluted":1}}').map((text) => Buffer.from(text)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(70, 1000, 100_000).map((levels) => Buffer.from(`{"a":${'['.repeat(levels)}1${']'.repeat(levels)}}`)),
  },
  { weight: 1, arbitrary: fc.constantFrom(40_000, 300_000).map((size) => Buffer.from(`{"a":"${'x'.repeat(size)}"}`)) },
);

const messageId = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 65_535 }) }, { weight: 1, arbitrary: fc.constant(0) });
const qos = fc.constantFrom<0 | 1 | 2>(0, 0, 1, 1, 1, 2);

/** One client packet (mqtt-packet's shape), including ones a client must never send. */
export function clientPackets(identities: Identities): fc.Arbitrary<Packet> {
  const filter = topicFilters(identities);
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .record({ topic: topicNames(identities), payload, qos, retain: fc.boolean(), dup: fc.boolean(), messageId })
        .map(({ qos: q, dup, messageId: id, ...rest }): Packet => ({ cmd: 'publish', ...rest, qos: q, dup: q > 0 && dup, ...(q > 0 && { messageId: id }) })),
    },
    {
      weight: 3,
      arbitrary: fc
        .record({ messageId, subscriptions: fc.array(fc.record({ topic: filter, qos }), { minLength: 1, maxLength: 4 }) })
        .map((fields): Packet => ({ cmd: 'subscribe', ...fields })),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({ messageId, unsubscriptions: fc.array(filter, { minLength: 1, maxLength: 3 }) })
        .map((fields): Packet => ({ cmd: 'unsubscribe', ...fields })),
    },
    { weight: 1, arbitrary: fc.constant<Packet>({ cmd: 'pingreq' }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('puback' as const, 'pubrec' as const, 'pubrel' as const, 'pubcomp' as const), messageId)
        .map(([cmd, id]): Packet => ({ cmd, messageId: id })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom<Packet>(
        { cmd: 'disconnect' },
        { cmd: 'connect', clientId: 'again', protocolVersion: 4, protocolId: 'MQTT', clean: true, keepalive: 10 },
        { cmd: 'connack', returnCode: 0, sessionPresent: false },
        { cmd: 'suback', messageId: 1, granted: [0] },
        { cmd: 'unsuback', messageId: 1, granted: [] },
        { cmd: 'pingresp' },
      ),
    },
  );
}

/** Bytes of packets; one mqtt-packet refuses to write (e.g. a topic over 65,535 bytes) is left out. */
function encode(packets: readonly Packet[]): Buffer {
  return Buffer.concat(
    packets.flatMap((packet) => {
      try {
        return [mqttPacket.generate(packet)];
      } catch {
        return [];
      }
    }),
  );
}

type ByteMutation =
  { kind: 'set'; at: number; value: number } | { kind: 'insert'; at: number; bytes: Uint8Array } | { kind: 'delete'; at: number; length: number };

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);

function mutateBytes(bytes: Buffer, change: ByteMutation): Buffer {
  const at = change.at % (bytes.length + 1);
  switch (change.kind) {
    case 'set': {
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      copy[at % bytes.length] = change.value;
      return copy;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), change.bytes, bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + change.length)]);
  }
}

/** What one fuzzed connection sends after its CONNECT: packets' bytes, possibly mutated, or noise. */
export function clientStreams(identities: Identities): fc.Arbitrary<Buffer> {
  const packets = fc.array(clientPackets(identities), { minLength: 1, maxLength: 5 }).map(encode);
  return fc.oneof(
    { weight: 6, arbitrary: packets },
    {
      weight: 3,
      arbitrary: fc.tuple(packets, fc.array(byteMutation, { minLength: 1, maxLength: 3 })).map(([bytes, changes]) => changes.reduce(mutateBytes, bytes)),
    },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
  );
}

/**
 * What the broker must do with a connection's stream (its CONNECT, the fuzzed bytes, then a PINGREQ):
 * - `close`: a protocol violation MQTT 3.1.1 answers by closing the connection (malformed or server-only
 *   packets, a second CONNECT [MQTT-3.1.0-2], DISCONNECT [MQTT-3.14.4-1], wildcards or an empty topic in
 *   PUBLISH [MQTT-3.3.2-2, MQTT-4.7.3-1], malformed filters [MQTT-4.7.1-2/3], U+0000 in a string
 *   [MQTT-1.5.3-2]), QoS 2 or a topic the device may not publish to (IoT Hub closes the connection
 *   [MQTT-3.3.5-2]), or a packet left incomplete (the keep-alive then runs out [MQTT-3.1.2-24]);
 * - `answer`: the connection stays, every QoS 1 PUBLISH gets its PUBACK, every SUBSCRIBE its SUBACK with
 *   one code per filter, every UNSUBSCRIBE its UNSUBACK, and the final PINGREQ its PINGRESP;
 * - `either`: a violation the broker cannot see (ill-formed UTF-8 is decoded leniently), or a packet
 *   identifier of 0: closing and answering are both acceptable.
 */
export type Expectation =
  | { kind: 'close'; reason: string }
  | { kind: 'either'; reason: string; pings: number }
  | {
      kind: 'answer';
      pubacks: number[];
      subacks: Array<{ messageId: number; count: number }>;
      unsubacks: number[];
      pings: number;
      twinRequests: number;
      reportedPatches: number;
    };

const SERVER_ONLY = new Set(['connack', 'suback', 'unsuback', 'pingresp', 'auth']);

/** MQTT 3.1.1 topic filter rules (section 4.7): non-empty, no U+0000, `#` alone and last, `+` alone in its level. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every((level, i) => (level.includes('#') ? level === '#' && i === levels.length - 1 : !level.includes('+') || level === '+'));
}

const hasNull = (text: string) => text.includes('\u0000');
/** U+FFFD is what ill-formed UTF-8 decodes to; the broker cannot tell it from a real U+FFFD. */
const maybeIllFormed = (text: string) => text.includes('\ufffd');

/** Parses the stream as the broker does (mqtt-packet, from the CONNECT on) and says what the broker must do. */
export function expectationOf(stream: Buffer, identities: Identities, maxTopicLevels: number): Expectation {
  const parser = mqttPacket.parser();
  const packets: Packet[] = [];
  let parseError: Error | undefined;
  parser.on('packet', (packet) => packets.push(packet));
  parser.on('error', (err: Error) => (parseError ??= err));
  const left = parser.parse(stream);
  const answer = {
    kind: 'answer' as const,
    pubacks: [] as number[],
    subacks: [] as Array<{ messageId: number; count: number }>,
    unsubacks: [] as number[],
    pings: 0,
    twinRequests: 0,
    reportedPatches: 0,
  };
  let unsure: string | undefined;
  const [connect, ...rest] = packets;
  if (connect?.cmd !== 'connect') return { kind: 'close', reason: 'no CONNECT' };
  for (const packet of rest) {
    if (packet.cmd === 'connect') return { kind: 'close', reason: 'second CONNECT' };
    if (packet.cmd === 'disconnect') return { kind: 'close', reason: 'DISCONNECT' };
    if (SERVER_ONLY.has(packet.cmd)) return { kind: 'close', reason: `server-only ${packet.cmd}` };
    if (packet.cmd === 'publish') {
      const { topic } = packet;
      if (topic.length === 0 || /[+#]/.test(topic)) return { kind: 'close', reason: 'wildcard or empty PUBLISH topic' };
      if (hasNull(topic)) return { kind: 'close', reason: 'U+0000 in a topic' };
      if (topic.split('/').length > maxTopicLevels) return { kind: 'close', reason: 'too many topic levels' };
      if (packet.qos === 2) return { kind: 'close', reason: 'QoS 2' };
      const kind = classifyDevicePublish(topic, identities.self)?.kind;
      if (kind === undefined) return { kind: 'close', reason: 'a topic the device may not publish to' };
      if (maybeIllFormed(topic)) unsure ??= 'topic maybe not UTF-8';
      if (packet.qos === 1) {
        if (packet.messageId === 0) unsure ??= 'packet identifier 0';
        answer.pubacks.push(packet.messageId!);
      }
      if (kind === 'twinGet' || kind === 'twinReported') answer.twinRequests++;
      if (kind === 'twinReported') answer.reportedPatches++;
    } else if (packet.cmd === 'subscribe' || packet.cmd === 'unsubscribe') {
      const filters = packet.cmd === 'subscribe' ? packet.subscriptions.map((s) => s.topic) : packet.unsubscriptions;
      // aedes offers no hook on UNSUBSCRIBE and does not check its filters for U+0000 (harmless: nothing matches).
      if (packet.cmd === 'unsubscribe' && filters.some(hasNull) && filters.every((f) => isValidFilter(f.replaceAll('\u0000', 'x')))) {
        unsure ??= 'U+0000 in an UNSUBSCRIBE filter';
        answer.unsubacks.push(packet.messageId!);
        continue;
      }
      if (!filters.every(isValidFilter)) return { kind: 'close', reason: 'malformed topic filter' };
      if (filters.some((filter) => filter.split('/').length > maxTopicLevels)) return { kind: 'close', reason: 'too many filter levels' };
      if (filters.some(maybeIllFormed)) unsure ??= 'filter maybe not UTF-8';
      if (packet.messageId === 0) unsure ??= 'packet identifier 0';
      // aedes answers a filter repeated in one SUBSCRIBE once (MQTT-3.8.4-5 wants a code per filter).
      if (packet.cmd === 'subscribe') answer.subacks.push({ messageId: packet.messageId!, count: new Set(filters).size });
      else answer.unsubacks.push(packet.messageId!);
    } else if (packet.cmd === 'pingreq') {
      answer.pings++;
    }
  }
  if (parseError) return { kind: 'close', reason: `malformed: ${parseError.message}` };
  // Bytes left over, or the closing PINGREQ swallowed by an earlier packet: the broker waits, then the keep-alive ends it.
  if (left > 0 || rest.at(-1)?.cmd !== 'pingreq') return { kind: 'close', reason: 'incomplete packet' };
  return unsure ? { kind: 'either', reason: unsure, pings: answer.pings } : answer;
}

/**
 * A device's reply to a method call: a status text (valid: an integer of up to 9 digits), the
 * request id (mostly as received, sometimes altered) and a body (JSON of any kind, text, bytes).
 */
export const methodAnswers = fc.record({
  status: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -999_999_999, max: 999_999_999 }).map(String) }, { weight: 1, arbitrary: statusText }),
  rid: fc.oneof(
    { weight: 8, arbitrary: fc.constant((rid: string) => rid) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        (rid: string) => `${rid}0`,
        (rid: string) => `%${rid}`,
        (rid: string) => rid.toUpperCase() + 'x',
      ),
    },
  ),
  body: payload,
});
