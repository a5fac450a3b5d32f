import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DesiredPropertiesPatch } from '../../src/registry/model.js';
import type { DeviceEndpoint, MethodCall, MethodOutcome } from '../../src/gateway/routing/device-router.js';
import { RedisDeviceRouter } from '../../src/gateway/routing/redis-router.js';

const redisUrl = process.env.REDIS_URL;

/** A device endpoint that answers every method with its own name, and records what it was told. */
class RecordingEndpoint implements DeviceEndpoint {
  readonly desired: DesiredPropertiesPatch[] = [];
  readonly replacedAt: number[] = [];
  identityChanges = 0;
  constructor(private readonly name: string) {}
  async invokeMethod(call: MethodCall): Promise<MethodOutcome> {
    return { kind: 'response', status: 200, payload: { answeredBy: this.name, method: call.methodName, echo: call.payload } };
  }
  notifyDesired(change: DesiredPropertiesPatch): void {
    this.desired.push(change);
  }
  replacedElsewhere(connectedAt: number): void {
    this.replacedAt.push(connectedAt);
  }
  identityChanged(): void {
    this.identityChanges += 1;
  }
}

const call = (methodName: string, payload: unknown = null): MethodCall => ({
  methodName,
  payload,
  subscribeWaitMs: 0,
  connectRemainingMs: 0,
  responseTimeoutMs: 5000,
});

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Redis device router', { skip: redisUrl ? false : 'REDIS_URL not set: Redis router suite skipped' }, () => {
  const prefix = `iothub-test-${randomBytes(4).toString('hex')}:`;
  let a: RedisDeviceRouter;
  let b: RedisDeviceRouter;

  before(async () => {
    a = await RedisDeviceRouter.connect({ url: redisUrl!, prefix });
    b = await RedisDeviceRouter.connect({ url: redisUrl!, prefix });
  });
  after(async () => {
    await a.close();
    await b.close();
  });

  it('runs a method on the process holding the device', async () => {
    const endpoint = new RecordingEndpoint('a');
    await a.attach('dev-m', endpoint, Date.now());
    assert.deepEqual(await b.invokeMethod('dev-m', call('ping', { n: 1 })), {
      kind: 'response',
      status: 200,
      payload: { answeredBy: 'a', method: 'ping', echo: { n: 1 } },
    });
    assert.deepEqual(await a.invokeMethod('dev-m', call('local')), {
      kind: 'response',
      status: 200,
      payload: { answeredBy: 'a', method: 'local', echo: null },
    });
    await a.detach('dev-m', endpoint);
    assert.equal(await b.invokeMethod('dev-m', call('ping')), undefined);
  });

  it('answers undefined at once for a device held nowhere', async () => {
    assert.equal(await b.invokeMethod('nowhere', call('ping')), undefined);
  });

  it('waits for a device to attach anywhere, up to a limit', async () => {
    assert.equal(await b.waitForDevice('late', 100), false);
    const waiting = [b.waitForDevice('late', 5000), b.waitForDevice('late', 5000)];
    setTimeout(() => void a.attach('late', new RecordingEndpoint('a'), Date.now()), 100);
    assert.deepEqual(await Promise.all(waiting), [true, true]);
    assert.equal(await b.waitForDevice('late', 100), true, 'already attached');
  });

  it('delivers desired-property changes to the process holding the device', async () => {
    const endpoint = new RecordingEndpoint('a');
    await a.attach('dev-d', endpoint, Date.now());
    const change = { deviceId: 'dev-d', patch: { x: 1 }, version: 2 };
    await b.notifyDesired(change);
    await until(() => endpoint.desired.length === 1, 'the desired change');
    assert.deepEqual(endpoint.desired, [change]);
  });

  it('tells every process holding the device of an identity change, once each', async () => {
    const onA = new RecordingEndpoint('a');
    const onB = new RecordingEndpoint('b');
    await a.attach('dev-i', onA, 1000);
    await b.attach('dev-i', onB, 1000); // not newer: both hold it, as while a device moves
    await a.notifyIdentityChanged('dev-i');
    assert.equal(onA.identityChanges, 1, 'the local endpoint is told at once');
    await until(() => onB.identityChanges === 1, 'the identity change on the other process');
    // Redis keeps publish order: once a later message has reached A, A's own copy has too (and was skipped).
    const marker = new RecordingEndpoint('a');
    await a.attach('dev-i-marker', marker, 1000);
    await b.notifyDesired({ deviceId: 'dev-i-marker', patch: { after: true }, version: 2 });
    await until(() => marker.desired.length === 1, 'a later message on A');
    assert.equal(onA.identityChanges, 1);
    await b.notifyIdentityChanged('held-nowhere');
  });

  it('tells the old process when another one attaches the same device', async () => {
    const old = new RecordingEndpoint('a');
    await a.attach('dev-t', old, 1000);
    await b.attach('dev-t', new RecordingEndpoint('b'), 2000);
    await until(() => old.replacedAt.length === 1, 'the takeover');
    assert.deepEqual(old.replacedAt, [2000]);
  });
});
