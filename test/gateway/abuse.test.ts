// Abuse of the device and service endpoints: old TLS, another device's topics, spoofed answers,
// identities changed under a live connection, and SAS tokens that expire during one. (mqtt-protocol.test.ts
// covers bad and expired credentials and SUBACK refusals; identity-changes.test.ts the SDK's view.)
import assert from 'node:assert/strict';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import type device from 'azure-iot-device';
import { hubRequest } from '../helpers/hub-http.js';
import {
  connackCode,
  eventually,
  mqttDevice,
  nextEvent,
  openSdkDevice,
  startGatewayHub,
  type GatewayTestHub,
  type TestDevice,
} from '../helpers/gateway-hub.js';

/** Outcome of a TLS handshake with versions up to `maxVersion`: the negotiated protocol, or the error code. */
function handshake(port: number, ca: string, maxVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'): Promise<string> {
  return new Promise((resolve) => {
    // SECLEVEL=0 lets this client offer TLS 1.0/1.1 at all (OpenSSL 3 otherwise refuses to, before reaching the server).
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost', minVersion: 'TLSv1', maxVersion, ciphers: 'DEFAULT@SECLEVEL=0' });
    const timer = setTimeout(() => finish('no answer within 5 s'), 5000);
    const finish = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.once('secureConnect', () => finish(socket.getProtocol() ?? 'unknown'));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(`${err.code}: ${err.message}`));
  });
}

/** The outcome, or 'no outcome' after `ms` (a bound on a wait, not a measurement). */
function bounded(outcome: Promise<string>, ms = 5000): Promise<string> {
  return Promise.race([outcome, new Promise<string>((resolve) => setTimeout(resolve, ms, 'no outcome').unref())]);
}

describe('abuse of the hub endpoints', () => {
  let hub: GatewayTestHub;
  let alice: TestDevice;
  let bob: TestDevice;
  const clients: MqttClient[] = [];
  const connected = async (device: TestDevice): Promise<MqttClient> => {
    const client = mqttDevice(hub, device);
    clients.push(client);
    assert.equal(await connackCode(client), 0);
    return client;
  };

  before(async () => {
    hub = await startGatewayHub({ wsPort: 0 });
    alice = await hub.addDevice('abuse-alice');
    bob = await hub.addDevice('abuse-bob');
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await hub?.dispose();
  });

  it('refuses TLS 1.0 and 1.1 on the MQTTS, MQTT/WSS and HTTPS ports, and speaks 1.2 and 1.3', async () => {
    const ports = { mqtts: hub.gateway.port, wss: hub.gateway.wsPort!, https: hub.hub.api.httpsPort };
    for (const [name, port] of Object.entries(ports)) {
      for (const old of ['TLSv1', 'TLSv1.1'] as const) {
        // The server's protocol_version alert, not a client-side refusal to offer the version.
        assert.match(await handshake(port, hub.hub.tls.ca, old), /alert protocol version/, `${name} with ${old}`);
      }
      assert.equal(await handshake(port, hub.hub.tls.ca, 'TLSv1.2'), 'TLSv1.2', name);
      assert.equal(await handshake(port, hub.hub.tls.ca, 'TLSv1.3'), 'TLSv1.3', name);
    }
  });

  it("a device hears nothing of another device's methods, desired changes or twin answers, whatever it subscribes to", async () => {
    const eve = await connected(alice);
    const victim = await connected(bob);
    // The whole $iothub tree is granted (the hub only ever sends a device's own traffic on its connection), other trees are not.
    const suback = await eve.subscribeAsync({ '$iothub/#': { qos: 1 }, [`devices/${bob.deviceId}/#`]: { qos: 1 }, 'devices/#': { qos: 1 } }).then(
      () => assert.fail('expected refusals'),
      (err: { packet?: { granted: number[] } }) => err.packet?.granted,
    );
    assert.deepEqual(suback, [1, 128, 128]);
    const heardByEve: string[] = [];
    eve.on('message', (topic) => heardByEve.push(topic));

    await victim.subscribeAsync(['$iothub/methods/POST/#', '$iothub/twin/res/#', '$iothub/twin/PATCH/properties/desired/#']);
    victim.on('message', (topic) => {
      if (topic.startsWith('$iothub/methods/POST/')) victim.publish(`$iothub/methods/res/200/?$rid=${topic.slice(topic.indexOf('?$rid=') + 6)}`, '"bob"');
    });
    const desiredSeen = nextEvent(victim, 'message');
    const patched = await hubRequest(hub.hub, { method: 'PATCH', path: `/twins/${bob.deviceId}`, body: { properties: { desired: { secret: 1 } } } });
    assert.equal(patched.status, 200);
    assert.match(String((await desiredSeen)[0]), /^\$iothub\/twin\/PATCH\/properties\/desired\//);
    const answer = await hubRequest(hub.hub, {
      method: 'POST',
      path: `/twins/${bob.deviceId}/methods`,
      body: { methodName: 'who', responseTimeoutInSeconds: 5 },
    });
    assert.deepEqual(answer.body, { status: 200, payload: 'bob' });
    const twinAnswer = nextEvent(victim, 'message');
    victim.publish('$iothub/twin/GET/?$rid=7', '');
    assert.match(String((await twinAnswer)[0]), /^\$iothub\/twin\/res\/200\/\?\$rid=7/);
    // Eve's own traffic still flows, so her silence above is not a dead connection.
    const own = nextEvent(eve, 'message');
    eve.publish('$iothub/twin/GET/?$rid=eve', '');
    assert.match(String((await own)[0]), /^\$iothub\/twin\/res\/200\/\?\$rid=eve/);
    assert.deepEqual(
      heardByEve.filter((topic) => !topic.includes('$rid=eve')),
      [],
    );
  });

  it("a device cannot answer another device's method call", async () => {
    const eve = await connected(alice);
    const victim = await connected(bob);
    await victim.subscribeAsync('$iothub/methods/POST/#');
    const requests: string[] = [];
    victim.on('message', (topic) => requests.push(topic));
    const call = hubRequest(hub.hub, { method: 'POST', path: `/twins/${bob.deviceId}/methods`, body: { methodName: 'slow', responseTimeoutInSeconds: 5 } });
    const request = await eventually(() => requests[0], "bob's method request");
    const rid = request.slice(request.indexOf('?$rid=') + 6);
    // Eve answers with Bob's request id; the call must still wait for Bob.
    await eve.publishAsync(`$iothub/methods/res/200/?$rid=${rid}`, '"spoofed"', { qos: 1 });
    await victim.publishAsync(`$iothub/methods/res/201/?$rid=${rid}`, '"bob"', { qos: 1 });
    assert.deepEqual((await call).body, { status: 201, payload: 'bob' });
  });

  it('closes the connection of a device that publishes where it may not (as IoT Hub does), and its victim carries on', async () => {
    // The victim is the official device SDK: it must neither hear of the abuse nor lose its connection.
    const victim = await openSdkDevice(bob, hub.hub.tls.ca);
    try {
      victim.onDeviceMethod('who', (_request, response) => void response.send(200, 'bob'));
      const bobBefore = await hub.hub.store.getTwin(bob.deviceId);
      const abuses = [
        ["another device's telemetry", `devices/${bob.deviceId}/messages/events/`],
        ["another device's module's telemetry", `devices/${bob.deviceId}/modules/m/messages/events/`],
        ['a method request, which only the hub sends', `$iothub/methods/POST/reboot/?$rid=1`],
        ['a desired-properties patch, which only the hub sends', '$iothub/twin/PATCH/properties/desired/?$version=9'],
        ['a twin request without a request id', '$iothub/twin/GET/'],
        ['a topic outside the IoT Hub protocol', 'anything/else'],
      ] as const;
      for (const [what, topic] of abuses) {
        const eve = await connected(alice);
        const refused = hub.gateway.metrics.counters.refusedPublishes;
        const closed = nextEvent(eve, 'close');
        const answers: string[] = [];
        eve.on('packetreceive', (packet) => answers.push(packet.cmd));
        // (mqtt.js keeps an unacknowledged QoS 1 message for a reconnect: its callback would never run.)
        eve.publish(topic, 'spoofed', { qos: 1 });
        assert.equal(await bounded(closed.then(() => 'closed')), 'closed', what);
        assert.deepEqual(answers, [], `${what}: closed without a PUBACK`);
        assert.equal(hub.gateway.metrics.counters.refusedPublishes, refused + 1, what);
      }
      assert.equal(hub.gateway.metrics.telemetryFrom(bob.deviceId), 0);
      assert.deepEqual((await hub.hub.store.getTwin(bob.deviceId))!.properties.reported, bobBefore!.properties.reported);
      assert.equal(hub.gateway.isConnected(bob.deviceId), true);
      const answer = await hubRequest(hub.hub, {
        method: 'POST',
        path: `/twins/${bob.deviceId}/methods`,
        body: { methodName: 'who', responseTimeoutInSeconds: 5 },
      });
      assert.deepEqual(answer.body, { status: 200, payload: 'bob' });
    } finally {
      await victim.close();
    }
  });

  it("ends a connection when its SAS token expires (as IoT Hub does), and others' go on", async () => {
    const carol = await hub.addDevice('abuse-carol');
    const lasting: device.Client = await openSdkDevice(carol, hub.hub.tls.ca);
    try {
      lasting.onDeviceMethod('ping', (_request, response) => void response.send(200, 'pong'));
      const expired = hub.gateway.metrics.counters.connectionsExpired;
      // `se` is in whole seconds: this token expires 2–3 s after the connection is made.
      const shortLived = mqttDevice(hub, alice, { expiresAt: new Date(Date.now() + 3000) });
      clients.push(shortLived);
      assert.equal(await connackCode(shortLived), 0);
      const closed = nextEvent(shortLived, 'close');
      // Usable until then: a twin request is answered.
      await shortLived.subscribeAsync('$iothub/twin/res/#');
      const answered = nextEvent(shortLived, 'message');
      shortLived.publish('$iothub/twin/GET/?$rid=before-expiry', '');
      assert.match(String((await answered)[0]), /^\$iothub\/twin\/res\/200\/\?\$rid=before-expiry/);

      assert.equal(
        await bounded(
          closed.then(() => 'closed'),
          10_000,
        ),
        'closed',
      );
      assert.equal(hub.gateway.metrics.counters.connectionsExpired, expired + 1);
      await eventually(() => !hub.gateway.isConnected(alice.deviceId), 'the gateway to forget the expired connection');
      // The device with a lasting token still answers a direct method.
      const answer = await hubRequest(hub.hub, {
        method: 'POST',
        path: `/twins/${carol.deviceId}/methods`,
        body: { methodName: 'ping', responseTimeoutInSeconds: 5 },
      });
      assert.deepEqual(answer.body, { status: 200, payload: 'pong' });
      assert.equal(hub.gateway.metrics.counters.connectionsExpired, expired + 1);
    } finally {
      await lasting.close();
    }
  });

  it('closes a connection that sends U+0000 in a topic name or filter [MQTT-1.5.3-2]', async () => {
    for (const send of [
      (client: MqttClient) => client.publish(`devices/${alice.deviceId}/messages/events/\u0000`, 'x', { qos: 1 }),
      (client: MqttClient) => client.subscribe('$iothub/methods/POST/\u0000', { qos: 0 }),
    ]) {
      const client = await connected(alice);
      const closed = nextEvent(client, 'close');
      send(client);
      await closed;
    }
  });

  for (const [change, act] of [
    [
      'disabled through PUT /devices',
      (id: string) => hubRequest(hub.hub, { method: 'PUT', path: `/devices/${id}`, body: { status: 'disabled' }, headers: { 'if-match': '*' } }),
    ],
    ['deleted through DELETE /devices', (id: string) => hubRequest(hub.hub, { method: 'DELETE', path: `/devices/${id}` })],
    [
      'given new keys through PUT /devices',
      (id: string) =>
        hubRequest(hub.hub, {
          method: 'PUT',
          path: `/devices/${id}`,
          body: {
            authentication: { symmetricKey: { primaryKey: Buffer.alloc(32, 5).toString('base64'), secondaryKey: Buffer.alloc(32, 6).toString('base64') } },
          },
          headers: { 'if-match': '*' },
        }),
    ],
  ] as const) {
    it(`drops a live connection at once when its device is ${change}, and refuses it after`, async () => {
      const device = await hub.addDevice(`abuse-${change.split(' ')[0]}`);
      const client = await connected(device);
      const closed = nextEvent(client, 'close');
      const started = Date.now();
      const response = await act(device.deviceId);
      assert.ok(response.status < 300, response.text);
      // Bounded: the connection goes within 2 s of the REST answer (in practice within milliseconds).
      const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 2000, 'still open'))]);
      assert.equal(outcome, 'closed', `${Date.now() - started} ms after the change`);
      assert.equal(hub.gateway.isConnected(device.deviceId), false);
      const again = mqttDevice(hub, device);
      clients.push(again);
      assert.equal(await connackCode(again), 5, 'CONNACK 5 (not authorized) afterwards');
    });
  }
});
