import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MqttClient } from 'mqtt';
import { hubRequest } from '../helpers/hub-http.js';
import { connackCode, eventually, mqttDevice, nextEvent, startGatewayHub, type GatewayTestHub, type TestDevice } from '../helpers/gateway-hub.js';

const connected = async (client: MqttClient): Promise<MqttClient> => {
  assert.equal(await connackCode(client), 0);
  return client;
};

describe('MQTT device protocol: authentication, ACLs, replacement', () => {
  let hub: GatewayTestHub;
  let dev: TestDevice;
  let other: TestDevice;
  const clients: MqttClient[] = [];
  const track = (client: MqttClient) => (clients.push(client), client);

  before(async () => {
    hub = await startGatewayHub({ wsPort: 0 });
    dev = await hub.addDevice('mqtt-dev');
    other = await hub.addDevice('mqtt-other');
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.endAsync(true)));
    await hub.dispose();
  });

  it('refuses bad credentials with CONNACK 5 and malformed ones with 4', async () => {
    const disabled = await hub.addDevice('mqtt-disabled', { status: 'disabled' });
    const wrongKey = Buffer.alloc(32, 1).toString('base64');
    const cases: Array<[string, MqttClient, number]> = [
      ['wrong key', mqttDevice(hub, { ...dev, key: wrongKey }), 5],
      ['expired token', mqttDevice(hub, dev, { expiresAt: new Date(Date.now() - 1000) }), 5],
      ['unknown device', mqttDevice(hub, { deviceId: 'mqtt-ghost', key: dev.key }), 5],
      ['disabled device', mqttDevice(hub, disabled), 5],
      ['clientId of another device', mqttDevice(hub, dev, { clientId: other.deviceId }), 5],
      ['username not {host}/{id}/?…', mqttDevice(hub, dev, { username: 'mqtt-dev' }), 4],
      ['password not a SAS token', mqttDevice(hub, dev, { password: 'secret' }), 4],
    ];
    for (const [what, client, code] of cases) {
      track(client);
      assert.equal(await connackCode(client), code, what);
    }
    assert.equal(hub.gateway.isConnected(dev.deviceId), false);
    assert.equal((await hub.hub.store.getDevice(dev.deviceId))!.connectionState, 'Disconnected');
  });

  it('grants only the device its own topics, and routes its publishes and methods to no other device', async () => {
    const client = track(await connected(mqttDevice(hub, dev)));
    const victim = track(await connected(mqttDevice(hub, other)));
    // mqtt.js rejects a SUBACK with refusals (128) but keeps the packet on the error.
    const suback = await client
      .subscribeAsync({
        '$iothub/methods/POST/#': { qos: 0 },
        [`devices/${dev.deviceId}/messages/devicebound/#`]: { qos: 1 },
        [`devices/${other.deviceId}/messages/devicebound/#`]: { qos: 1 },
        'devices/+/messages/events/#': { qos: 0 },
        '#': { qos: 0 },
        '$SYS/#': { qos: 0 },
      })
      .then(
        () => assert.fail('expected refusals'),
        (err: { packet?: { granted: number[] } }) => err.packet,
      );
    assert.deepEqual(suback?.granted, [0, 1, 128, 128, 128, 128]);

    const victimGot: string[] = [];
    await victim.subscribeAsync('$iothub/methods/POST/#', { qos: 0 });
    victim.on('message', (topic) => victimGot.push(topic));
    // (A publish to another device's topics closes the connection: abuse.test.ts.)
    await client.publishAsync(`devices/${dev.deviceId}/messages/events/`, 'mine', { qos: 1 });
    assert.equal(hub.gateway.metrics.telemetryFrom(other.deviceId), 0);
    assert.equal(hub.gateway.metrics.telemetryFrom(dev.deviceId), 1);

    // A method for the other device reaches only that device.
    const clientGot: string[] = [];
    client.on('message', (topic) => clientGot.push(topic));
    victim.on('message', (topic) => {
      const rid = topic.slice(topic.indexOf('?$rid=') + 6);
      victim.publish(`$iothub/methods/res/200/?$rid=${rid}`, '"mine"');
    });
    const res = await hubRequest(hub.hub, { method: 'POST', path: `/twins/${other.deviceId}/methods`, body: { methodName: 'who' } });
    assert.deepEqual(res.body, { status: 200, payload: 'mine' });
    assert.deepEqual(clientGot, []);
    assert.equal(victimGot.length, 1);
    assert.equal(client.connected, true, 'refused subscriptions do not cost the connection');
    await client.endAsync();
    await victim.endAsync();
  });

  it('replaces the first connection when the same device connects again', async () => {
    const first = track(await connected(mqttDevice(hub, dev)));
    const closed = nextEvent(first, 'close');
    const second = track(await connected(mqttDevice(hub, dev)));
    await closed;
    assert.equal(hub.gateway.isConnected(dev.deviceId), true);
    await eventually(() => hub.gateway.connectedDevices === 1, 'one connection left');
    // A later state write must not be Disconnected from the replaced connection.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await hub.hub.store.getDevice(dev.deviceId))!.connectionState, 'Connected');

    second.subscribe('$iothub/methods/POST/#');
    await nextEvent(second, 'packetreceive');
    second.on('message', (topic) => {
      second.publish(`$iothub/methods/res/200/?$rid=${topic.slice(topic.indexOf('?$rid=') + 6)}`, '');
    });
    const res = await hubRequest(hub.hub, { method: 'POST', path: `/twins/${dev.deviceId}/methods`, body: { methodName: 'm' } });
    assert.deepEqual(res.body, { status: 200, payload: null });

    await second.endAsync();
    await eventually(async () => (await hub.hub.store.getDevice(dev.deviceId))!.connectionState === 'Disconnected', 'Disconnected');
  });

  it('closes the connection on a QoS 2 publish (IoT Hub does not support QoS 2)', async () => {
    const client = track(await connected(mqttDevice(hub, dev)));
    const closed = nextEvent(client, 'close');
    client.publish(`devices/${dev.deviceId}/messages/events/`, 'x', { qos: 2 });
    await closed;
  });

  it('serves MQTT over secure WebSockets at /$iothub/websocket', async () => {
    const client = track(
      mqttDevice(hub, dev, {
        protocol: 'wss',
        host: '127.0.0.1',
        port: hub.gateway.wsPort!,
        path: '/$iothub/websocket',
        wsOptions: { ca: hub.hub.tls.ca, servername: 'localhost' } as Record<string, unknown>,
      }),
    );
    assert.equal(await connackCode(client), 0);
    await client.subscribeAsync('$iothub/twin/res/#');
    const reply = nextEvent(client, 'message');
    client.publish('$iothub/twin/GET/?$rid=42', ' ');
    const [topic, payload] = (await reply) as [string, Buffer];
    assert.equal(topic, '$iothub/twin/res/200/?$rid=42');
    assert.deepEqual(Object.keys(JSON.parse(payload.toString())).sort(), ['desired', 'reported']);
    await client.endAsync();
  });
});

describe('gateway start-up', () => {
  it('fails with a clear error when the MQTTS port is taken, leaving nothing running', async () => {
    const first = await startGatewayHub();
    try {
      await assert.rejects(startGatewayHub({ mqttsPort: first.gateway.port }), /Cannot listen for MQTT on 127\.0\.0\.1:\d+: the port is in use/);
    } finally {
      await first.dispose();
    }
  });
});
