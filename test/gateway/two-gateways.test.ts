import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type device from 'azure-iot-device';
import { gatewayPart, type GatewayPart } from '../../src/gateway/hub-part.js';
import { parseMethodRequest } from '../../src/gateway/methods/request.js';
import { startHub, type Hub } from '../../src/hub.js';
import { silentLogger } from '../../src/logger.js';
import { hubRequest } from '../helpers/hub-http.js';
import { connackCode, eventually, mqttDevice, nextEvent, openSdkDevice, startGatewayHub, type GatewayTestHub } from '../helpers/gateway-hub.js';
import type { GatewayProcessReady } from '../helpers/gateway-process.js';
import { registryFor } from '../helpers/service-sdk.js';

const redisUrl = process.env.REDIS_URL;

describe('two gateway processes routing through Redis', { skip: redisUrl ? false : 'REDIS_URL not set: multi-process gateway suite skipped' }, () => {
  const redisPrefix = `iothub-test-${randomBytes(4).toString('hex')}:`;
  let hubA: GatewayTestHub;
  let processB: ChildProcess;
  let b: GatewayProcessReady;
  const clients: device.Client[] = [];
  /** The device's connection string pointed at process B's gateway. */
  const onB = (connectionString: string) => connectionString.replace(/GatewayHostName=localhost:\d+/, `GatewayHostName=localhost:${b.mqttsPort}`);
  const viaA = (hub: Hub, deviceId: string, body: unknown) => hubRequest(hub, { method: 'POST', path: `/twins/${deviceId}/methods`, body });

  before(async () => {
    hubA = await startGatewayHub({ redisUrl, redisPrefix });
    processB = fork(new URL('../helpers/gateway-process.ts', import.meta.url), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, DATA_DIR: hubA.hub.dataDir, REDIS_URL: redisUrl, REDIS_PREFIX: redisPrefix },
    });
    b = await new Promise<GatewayProcessReady>((resolve, reject) => {
      processB.once('message', (message) => resolve(message as GatewayProcessReady));
      processB.once('exit', (code) => reject(new Error(`process B exited with ${code}`)));
    });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    if (processB?.connected) {
      const exited = new Promise((resolve) => processB.once('exit', resolve));
      processB.disconnect();
      await exited;
    }
    await hubA?.dispose();
  });

  it('invokes a method through process A on a device connected to process B', async () => {
    const testDevice = await hubA.addDevice('on-b');
    const client = await openSdkDevice({ ...testDevice, connectionString: onB(testDevice.connectionString) }, hubA.hub.tls.ca);
    clients.push(client);
    client.onDeviceMethod('where', (request, response) => void response.send(200, { pid: 'b', echo: request.payload }));
    assert.equal(hubA.gateway.isConnected('on-b'), false, 'not connected to A');

    const res = await viaA(hubA.hub, 'on-b', { methodName: 'where', payload: { n: 7 } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 200, payload: { pid: 'b', echo: { n: 7 } } });
    const silent = await viaA(hubA.hub, 'on-b', { methodName: 'unregistered', responseTimeoutInSeconds: 5 });
    assert.equal(silent.status, 504);
  });

  it('delivers a desired change made through process A to the device on process B', async () => {
    const testDevice = await hubA.addDevice('desired-on-b');
    const client = await openSdkDevice({ ...testDevice, connectionString: onB(testDevice.connectionString) }, hubA.hub.tls.ca);
    clients.push(client);
    const twin = await client.getTwin();
    const seen: unknown[] = [];
    twin.on('properties.desired', (desired: { color?: string }) => seen.push(desired.color));
    const registry = registryFor(hubA.hub.connectionString(), { port: hubA.hub.api.httpsPort, ca: hubA.hub.tls.ca });
    await registry.updateTwin('desired-on-b', { properties: { desired: { color: 'green' } } }, '*');
    await eventually(() => seen.includes('green'), 'the desired patch on process B');
  });

  it('waits through process A for a device that connects late to process B', async () => {
    const testDevice = await hubA.addDevice('late-on-b');
    const pending = viaA(hubA.hub, 'late-on-b', { methodName: 'hi', connectTimeoutInSeconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const client = await openSdkDevice({ ...testDevice, connectionString: onB(testDevice.connectionString) }, hubA.hub.tls.ca);
    clients.push(client);
    client.onDeviceMethod('hi', (_request, response) => void response.send(200, 'late'));
    assert.deepEqual((await pending).body, { status: 200, payload: 'late' });
  });

  it('reaches devices from a process without a broker (api/worker roles)', async () => {
    const testDevice = await hubA.addDevice('from-worker');
    const client = await openSdkDevice({ ...testDevice, connectionString: onB(testDevice.connectionString) }, hubA.hub.tls.ca);
    clients.push(client);
    client.onDeviceMethod('job', (request, response) => void response.send(200, request.payload));
    const twin = await client.getTwin();
    const seen: unknown[] = [];
    twin.on('properties.desired', (desired: { mode?: string }) => seen.push(desired.mode));

    let part: GatewayPart | undefined;
    const apiOnly = await startHub({
      dataDir: hubA.hub.dataDir,
      bindAddress: '127.0.0.1',
      httpsPort: 0,
      log: silentLogger,
      parts: [async (context) => (part = await gatewayPart({ broker: false, redisUrl, redisPrefix })(context))],
    });
    try {
      assert.equal(part!.gateway, undefined);
      assert.deepEqual(part!.ports, {});
      const result = await part!.services.invoker.invoke('from-worker', parseMethodRequest({ methodName: 'job', payload: [1] }));
      assert.deepEqual(result, { kind: 'response', status: 200, payload: [1] });
      assert.deepEqual((await viaA(apiOnly, 'from-worker', { methodName: 'job', payload: 'rest' })).body, { status: 200, payload: 'rest' });
      const { desiredChange } = await apiOnly.store.updateTwin('from-worker', { desired: { mode: 'eco' } }, { mode: 'patch' });
      await part!.events.onDesiredChange(desiredChange!);
      await eventually(() => seen.includes('eco'), 'the desired patch sent by a process without a broker');
    } finally {
      await apiOnly.close();
    }
  });

  it('answers 404103 for a device connected nowhere', async () => {
    await hubA.addDevice('nowhere');
    const res = await viaA(hubA.hub, 'nowhere', { methodName: 'm' });
    assert.equal(res.status, 404);
    assert.equal(JSON.parse(res.body.Message).errorCode, 404103);
  });

  it('closes the connection on process B when the device connects to process A', async () => {
    const testDevice = await hubA.addDevice('moving');
    const onProcessB = mqttDevice(hubA, testDevice, { port: b.mqttsPort });
    assert.equal(await connackCode(onProcessB), 0);
    assert.equal(hubA.gateway.isConnected('moving'), false, 'the first connection is on process B');
    const closedOnB = nextEvent(onProcessB, 'close');
    const onProcessA = mqttDevice(hubA, testDevice);
    assert.equal(await connackCode(onProcessA), 0);
    await closedOnB;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await hubA.hub.store.getDevice('moving'))!.connectionState, 'Connected');
    await onProcessA.endAsync();
    onProcessB.end(true);
  });
});
