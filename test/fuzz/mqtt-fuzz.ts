import assert from 'node:assert/strict';
import fc from 'fast-check';
import mqttPacket, { type Packet } from 'mqtt-packet';
import type { MqttClient } from 'mqtt';
import { assertHubError, hubRequest, type HubResponse } from '../helpers/hub-http.js';
import { connackCode, eventually, mqttDevice, type GatewayTestHub, type TestDevice } from '../helpers/gateway-hub.js';
import { unstorableJson as unstorableJsonOf } from '../../src/registry/json.js';
import { RawMqttConnection, type RawTarget } from './mqtt-connection.js';
import { clientStreams, expectationOf, methodAnswers, type Expectation } from './mqtt-packets.js';
import { jsonValue } from './json-bodies.js';
import { shortlyReported } from './report.js';

/**
 * The MQTT fuzz: after a real TLS handshake and a valid CONNECT, each of a batch of devices sends
 * random and mutated packets on random topics, then a PINGREQ. The broker must do what MQTT 3.1.1
 * (and IoT Hub) requires for that stream (see expectationOf), only ever write well-formed packets,
 * never answer a device's mistake with a 5xx twin status, and keep a refused reported patch from
 * being written. After every batch another device still gets its direct methods answered, a new
 * connection is still accepted and served, and the gateway has logged no error.
 */
export interface MqttFuzzFigures {
  connections: number;
  /** Connections by what the broker had to do, and did. */
  closed: number;
  answered: number;
  either: number;
  batches: number;
}

export interface MqttFuzzOptions {
  hub: GatewayTestHub;
  /** Errors the hub logged (its logger's error calls), checked to stay empty. */
  loggedErrors: readonly unknown[];
  /** Batches to run. */
  runs: number;
  seed: number;
  /** Connections per batch, each as its own device. */
  parallel: number;
}

const KEEPALIVE_S = 1;
/** The broker closes an idle connection after 1.5 keep-alive periods [MQTT-3.1.2-24]; allow for load. */
const CLOSE_WITHIN_MS = KEEPALIVE_S * 1500 + 3000;
const MAX_TOPIC_LEVELS = 100; // aedes' default
const PINGREQ = mqttPacket.generate({ cmd: 'pingreq' });
const TWIN_RESPONSE = /^\$iothub\/twin\/res\/(\d+)\/\?(.*)$/;

const publishes = (connection: RawMqttConnection) => connection.received.filter((packet): packet is Packet & { cmd: 'publish' } => packet.cmd === 'publish');
const twinResponses = (connection: RawMqttConnection) => publishes(connection).filter((packet) => packet.topic.startsWith('$iothub/twin/res/'));

/** What the broker wrote must be MQTT: parseable, topics without wildcards or U+0000, no 5xx twin status for a device's mistake. */
function checkBrokerOutput(connection: RawMqttConnection): void {
  assert.equal(connection.receiveError, undefined, 'the broker wrote a malformed packet');
  for (const { topic } of publishes(connection)) {
    assert.ok(!/[+#\u0000]/.test(topic), `the broker published on an invalid topic name ${JSON.stringify(topic)}`);
  }
  for (const { topic } of twinResponses(connection)) {
    const status = Number(TWIN_RESPONSE.exec(topic)?.[1]);
    assert.ok(status >= 200 && status < 500, `twin response ${JSON.stringify(topic)}: a device's request must not get a 5xx`);
  }
}

/** The acknowledgements MQTT 3.1.1 requires for an accepted stream, in any order per kind. */
function checkAnswers(connection: RawMqttConnection, expected: Extract<Expectation, { kind: 'answer' }>): void {
  const ids = (cmd: Packet['cmd']) =>
    connection.received
      .filter((p) => p.cmd === cmd)
      .map((p) => p.messageId ?? -1)
      .sort((a, b) => a - b);
  assert.deepEqual(
    ids('puback'),
    [...expected.pubacks].sort((a, b) => a - b),
    'one PUBACK per QoS 1 PUBLISH [MQTT-3.3.4-1]',
  );
  assert.deepEqual(
    ids('unsuback'),
    [...expected.unsubacks].sort((a, b) => a - b),
    'one UNSUBACK per UNSUBSCRIBE [MQTT-3.10.4-4]',
  );
  const subacks = connection.received.filter((p): p is Packet & { cmd: 'suback' } => p.cmd === 'suback');
  assert.deepEqual(
    subacks.map((p) => ({ messageId: p.messageId!, count: p.granted.length })).sort((a, b) => a.messageId - b.messageId),
    [...expected.subacks].sort((a, b) => a.messageId - b.messageId),
    'one SUBACK per SUBSCRIBE, one code per filter [MQTT-3.8.4-1, MQTT-3.8.4-5]',
  );
  // IoT Hub grants at most QoS 1, and the gateway subscribes so; but aedes' SUBACK repeats the QoS
  // requested, not the one its authorizeSubscribe hook granted, so a QoS 2 request reads 2.
  for (const { granted } of subacks) for (const code of granted) assert.ok([0, 1, 2, 0x80].includes(Number(code)), `SUBACK code ${String(code)}`);
}

export async function runMqttFuzz({ hub, loggedErrors, runs, seed, parallel }: MqttFuzzOptions): Promise<MqttFuzzFigures> {
  const figures: MqttFuzzFigures = { connections: 0, closed: 0, answered: 0, either: 0, batches: 0 };
  const target: RawTarget = { port: hub.gateway.port, ca: hub.hub.tls.ca, hostName: hub.hub.hostName };
  const other = await hub.addDevice('fz-mqtt-other');
  const attackers: TestDevice[] = [];
  for (let i = 0; i < parallel; i++) attackers.push(await hub.addDevice(`fz-mqtt-${i}`));
  const fresh = await hub.addDevice('fz-mqtt-fresh');

  // A well-behaved device that must keep working whatever the others send.
  const victimDevice = await hub.addDevice('fz-victim');
  const victim: MqttClient = mqttDevice(hub, victimDevice);
  assert.equal(await connackCode(victim), 0);
  await victim.subscribeAsync('$iothub/methods/POST/#', { qos: 0 });
  victim.on('message', (topic) => victim.publish(`$iothub/methods/res/200/?$rid=${topic.slice(topic.indexOf('?$rid=') + 6)}`, '"victim"'));

  async function fuzzConnection(device: TestDevice, stream: Buffer): Promise<void> {
    const { connection, connect, returnCode } = await RawMqttConnection.connectDevice(target, device, KEEPALIVE_S);
    try {
      assert.equal(returnCode, 0, `CONNECT of ${device.deviceId}`);
      const reportedBefore = (await hub.hub.store.getTwin(device.deviceId))!.properties.reported;
      connection.write(stream);
      connection.write(PINGREQ);
      const expected = expectationOf(Buffer.concat([connect, stream, PINGREQ]), { self: device.deviceId, other: other.deviceId }, MAX_TOPIC_LEVELS);
      figures.connections++;
      if (expected.kind === 'close') {
        assert.ok(await connection.closedWithin(CLOSE_WITHIN_MS), `the broker must close the connection: ${expected.reason}`);
        figures.closed++;
      } else if (expected.kind === 'either') {
        const answered = await connection.until(() => connection.count('pingresp') >= expected.pings, CLOSE_WITHIN_MS);
        assert.ok(answered || connection.closed, `neither answered nor closed (${expected.reason})`);
        figures.either++;
      } else {
        // aedes handles the packets of one read concurrently, so acknowledgements of different kinds may come in any order.
        const done = () =>
          connection.count('pingresp') >= expected.pings &&
          connection.count('puback') >= expected.pubacks.length &&
          connection.count('suback') >= expected.subacks.length &&
          connection.count('unsuback') >= expected.unsubacks.length &&
          twinResponses(connection).length >= expected.twinRequests;
        assert.ok(await connection.until(done, CLOSE_WITHIN_MS), `a valid stream must be answered, not ${connection.closed ? 'closed' : 'left hanging'}`);
        assert.equal(connection.closed, false);
        checkAnswers(connection, expected);
        // A refused reported patch writes nothing; an accepted one leaves the version its answer named.
        const reportedAfter = (await hub.hub.store.getTwin(device.deviceId))!.properties.reported;
        const versions = twinResponses(connection)
          .flatMap(({ topic }) => new URLSearchParams(TWIN_RESPONSE.exec(topic)?.[2]).get('$version') ?? [])
          .map(Number);
        if (versions.length === 0) assert.deepEqual(reportedAfter, reportedBefore, 'reported properties changed without a 204');
        else assert.equal(reportedAfter.$version, Math.max(...versions), 'the reported version is the last one answered');
        figures.answered++;
      }
      checkBrokerOutput(connection);
    } finally {
      connection.destroy();
    }
  }

  async function assertHubServes(): Promise<void> {
    const method = await hubRequest(hub.hub, { method: 'POST', path: '/twins/fz-victim/methods', body: { methodName: 'who', responseTimeoutInSeconds: 5 } });
    assert.deepEqual(method.body, { status: 200, payload: 'victim' }, 'another device keeps answering its methods');
    const { connection, returnCode } = await RawMqttConnection.connectDevice(target, fresh, 30);
    try {
      assert.equal(returnCode, 0, 'a new connection is accepted');
      connection.write(mqttPacket.generate({ cmd: 'publish', topic: '$iothub/twin/GET/?$rid=health', payload: '', qos: 0, dup: false, retain: false }));
      assert.ok(await connection.until(() => twinResponses(connection).length > 0, 5000), 'a new connection is served');
      assert.match(twinResponses(connection)[0]!.topic, /^\$iothub\/twin\/res\/200\//);
    } finally {
      connection.destroy();
    }
    assert.deepEqual(loggedErrors, [], 'the gateway logged errors');
  }

  const batch = fc.tuple(...attackers.map((device) => clientStreams({ self: device.deviceId, other: other.deviceId })));
  try {
    await fc.assert(
      fc.asyncProperty(shortlyReported(batch.map((streams) => ({ streams }))), async ({ streams }) => {
        await Promise.all(streams.map((stream, i) => fuzzConnection(attackers[i]!, stream)));
        await assertHubServes();
        figures.batches++;
      }),
      { seed, numRuns: runs, endOnFailure: true, includeErrorInReport: true },
    );
    // Every fuzzed connection is gone from the gateway's books; only the victim remains.
    await eventually(() => hub.gateway.connectedDevices === 1, 'only the victim to stay connected', 10_000);
  } finally {
    await victim.endAsync(true);
  }
  return figures;
}

export interface MethodAnswerFigures {
  calls: number;
  /** Calls refused before reaching the device (the caller's payload was the mistake). */
  refused: number;
  answered: number;
  timedOut: number;
}

/**
 * Direct methods answered with fuzzed replies: a batch of devices each gets a method call through
 * REST and answers it with a random status text, request id and body. The caller must get the
 * device's answer (200 {status, payload}), or 504 GatewayTimeout when the answer does not match the
 * call, never a 5xx of the hub's own; the answer's payload must be JSON the hub can keep.
 */
export async function runMethodAnswerFuzz({ hub, loggedErrors, runs, seed, parallel }: MqttFuzzOptions): Promise<MethodAnswerFigures> {
  const figures: MethodAnswerFigures = { calls: 0, refused: 0, answered: 0, timedOut: 0 };
  const target: RawTarget = { port: hub.gateway.port, ca: hub.hub.tls.ca, hostName: hub.hub.hostName };
  const responders: TestDevice[] = [];
  for (let i = 0; i < parallel; i++) responders.push(await hub.addDevice(`fz-answer-${i}`));

  async function call(device: TestDevice, answer: { status: string; rid: (rid: string) => string; body: Buffer }, payload: unknown): Promise<void> {
    const { connection, returnCode } = await RawMqttConnection.connectDevice(target, device, 30);
    try {
      assert.equal(returnCode, 0);
      connection.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: '$iothub/methods/POST/#', qos: 0 }] }));
      assert.ok(await connection.until(() => connection.count('suback') > 0, 5000), 'SUBACK');
      let refused: HubResponse | undefined;
      const response = hubRequest(hub.hub, {
        method: 'POST',
        path: `/twins/${device.deviceId}/methods`,
        body: { methodName: 'fuzz', payload, responseTimeoutInSeconds: 5 },
      }).then((result) => (result.status >= 400 && result.status < 500 ? (refused = result) : result));
      await connection.until(() => publishes(connection).length > 0 || refused !== undefined, 5000);
      figures.calls++;
      if (refused) {
        // The call itself was a client mistake (a payload over 128 KB or nested too deep): refused before reaching the device.
        assertHubError(refused, refused.status, String(refused.headers['iothub-errorcode']));
        figures.refused++;
        return;
      }
      assert.ok(publishes(connection).length > 0, 'the device gets the method request');
      const request = publishes(connection)[0]!;
      const rid = request.topic.slice(request.topic.indexOf('?$rid=') + 6);
      const topic = `$iothub/methods/res/${answer.status}/?$rid=${answer.rid(rid)}`;
      connection.write(mqttPacket.generate({ cmd: 'publish', topic, payload: answer.body, qos: 0, dup: false, retain: false }));
      const result = await response;
      if (result.status === 200) {
        assert.equal(result.body.status, Number(answer.status), 'the device status is passed on');
        assert.equal(unstorableJsonOf(result.body.payload), undefined, 'the payload is JSON the hub can keep');
        figures.answered++;
      } else {
        assert.equal(result.status, 504, `${result.status} ${result.text.slice(0, 300)}`);
        assert.equal(result.headers['iothub-errorcode'], 'GatewayTimeout');
        figures.timedOut++;
      }
    } finally {
      connection.destroy();
    }
  }

  const batch = fc.tuple(...responders.map(() => fc.tuple(methodAnswers, jsonValue)));
  await fc.assert(
    fc.asyncProperty(shortlyReported(batch.map((calls) => ({ calls }))), async ({ calls }) => {
      await Promise.all(calls.map(([answer, payload], i) => call(responders[i]!, answer, payload)));
      assert.deepEqual(loggedErrors, [], 'the gateway logged errors');
    }),
    { seed, numRuns: runs, endOnFailure: true, includeErrorInReport: true },
  );
  return figures;
}
