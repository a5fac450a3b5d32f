// The gateway's connect events (src/gateway/connect-events.ts): a device that connects is announced
// once its Connected state is in the store, in-process and, between processes, through Redis; the
// ids of many connects travel together.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ConnectEvents } from '../../src/gateway/connect-events.js';
import { RedisConnectEvents } from '../../src/gateway/redis-connect-events.js';
import { eventually, mqttDevice, startGatewayHub, type GatewayTestHub } from '../helpers/gateway-hub.js';

const redisUrl = process.env.REDIS_URL;

/** Listens to `events`; each heard id is checked against the store as the listener hears it. */
async function recordConnects(hub: GatewayTestHub, events: ConnectEvents) {
  const heard: Array<{ deviceId: string; state: string | undefined }> = [];
  const batches: string[][] = [];
  const stop = await events.listen(
    (deviceIds) => {
      batches.push(deviceIds);
      for (const deviceId of deviceIds) void hub.hub.store.getDevice(deviceId).then((device) => heard.push({ deviceId, state: device?.connectionState }));
    },
    () => undefined,
  );
  return { heard, batches, stop };
}

async function connectAll(hub: GatewayTestHub, prefix: string, count: number) {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const clients = await Promise.all(
    ids.map(async (deviceId) => {
      const client = mqttDevice(hub, await hub.addDevice(deviceId));
      await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
      return client;
    }),
  );
  return { ids, close: () => Promise.all(clients.map((client) => client.endAsync(true))) };
}

describe('connect events within one process', () => {
  let hub: GatewayTestHub;
  before(async () => (hub = await startGatewayHub()));
  after(() => hub?.dispose());

  it('announces each connected device after its Connected state is stored, in batches', async () => {
    const record = await recordConnects(hub, hub.part.services.connectEvents);
    const devices = await connectAll(hub, 'local', 10);
    await eventually(async () => (record.heard.length === 10 ? true : undefined), 'every connect heard', 10_000);
    assert.deepEqual(record.heard.map((h) => h.deviceId).sort(), [...devices.ids].sort());
    for (const { deviceId, state } of record.heard) assert.equal(state, 'Connected', `${deviceId} was Connected in the store when announced`);
    assert.ok(record.batches.length <= 10);
    await record.stop();
    await devices.close();
  });
});

describe('connect events between processes through Redis', { skip: redisUrl ? false : 'REDIS_URL not set: Redis connect events skipped' }, () => {
  const redisPrefix = `iothub-test-${randomBytes(4).toString('hex')}:`;
  let hub: GatewayTestHub;
  let worker: RedisConnectEvents;
  before(async () => {
    hub = await startGatewayHub({ redisUrl, redisPrefix });
    // Another process's view of the events: its own Redis connections on the same prefix.
    worker = await RedisConnectEvents.connect(redisUrl!, redisPrefix, (err) => assert.fail(String(err)));
  });
  after(async () => {
    await worker?.close();
    await hub?.dispose();
  });

  it("delivers the gateway's connects to a listener elsewhere, after the Connected state is stored", async () => {
    const record = await recordConnects(hub, worker);
    const devices = await connectAll(hub, 'redis', 10);
    await eventually(async () => (record.heard.length === 10 ? true : undefined), 'every connect heard through Redis', 10_000);
    assert.deepEqual(record.heard.map((h) => h.deviceId).sort(), [...devices.ids].sort());
    for (const { deviceId, state } of record.heard) assert.equal(state, 'Connected', `${deviceId} was Connected in the store when announced`);
    await record.stop();
    await devices.close();
  });
});
