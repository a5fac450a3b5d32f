import assert from 'node:assert/strict';
import common from 'azure-iot-common';
import device from 'azure-iot-device';
import mqttTransport from 'azure-iot-device-mqtt';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createSasToken } from '../../src/auth/sas-token.js';
import { gatewayPart, type GatewayPart, type GatewayPartOptions } from '../../src/gateway/hub-part.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { startHub, type Hub } from '../../src/hub.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { sasKeysOf } from '../../src/registry/device/keys.js';
import { STORE_VARIANTS, type StoreVariant } from './store-variants.js';
import { makeTempDir } from './temp-dir.js';

/** A hub with its device gateway on OS-picked ports, in its own temp dir (and PG schema). */
export interface GatewayTestHub {
  hub: Hub;
  part: GatewayPart;
  gateway: Gateway;
  /** Registers a device; returns its primary key and SDK connection string (GatewayHostName with the port). */
  addDevice(deviceId: string, options?: { status?: 'enabled' | 'disabled' }): Promise<TestDevice>;
  dispose(): Promise<void>;
}

export interface TestDevice {
  deviceId: string;
  key: string;
  connectionString: string;
}

export async function startGatewayHub(options: GatewayPartOptions & { variant?: StoreVariant; log?: Logger } = {}): Promise<GatewayTestHub> {
  const dir = makeTempDir('iothub-gw-');
  const database = (options.variant ?? STORE_VARIANTS[0]!).create();
  let part: GatewayPart | undefined;
  const hub = await startHub({
    dataDir: dir.path,
    bindAddress: '127.0.0.1',
    httpsPort: 0,
    databaseUrl: database.databaseUrl,
    databaseSchema: database.databaseSchema,
    log: options.log ?? silentLogger,
    parts: [async (context) => (part = await gatewayPart({ mqttsPort: 0, activityIntervalMs: 200, ...options })(context))],
  }).catch(async (err: unknown) => {
    await database.drop();
    dir.remove();
    throw err;
  });
  const gateway = part!.gateway!;
  return {
    hub,
    part: part!,
    gateway,
    async addDevice(deviceId, deviceOptions = {}) {
      const created = await hub.store.createDevice({ deviceId, status: deviceOptions.status });
      const key = sasKeysOf(created).primaryKey;
      return {
        deviceId,
        key,
        connectionString: `HostName=${hub.hostName};DeviceId=${deviceId};SharedAccessKey=${key};GatewayHostName=localhost:${gateway.port}`,
      };
    },
    async dispose() {
      await hub.close();
      await database.drop();
      dir.remove();
    },
  };
}

/** The official device SDK client over MQTT, trusting the hub's CA, opened. */
export async function openSdkDevice(testDevice: TestDevice, ca: string, retryPolicy?: common.RetryPolicy): Promise<device.Client> {
  const client = await sdkDevice(testDevice, ca);
  if (retryPolicy) client.setRetryPolicy(retryPolicy);
  await client.open();
  return client;
}

/**
 * The SDK's default retry policy, until stop(). The SDK treats a refused reconnect as transient and
 * retries for four minutes, and close() does not cancel that: a test whose device is refused must stop
 * the retries before closing it, or the test process cannot exit.
 */
export class StoppableRetries implements common.RetryPolicy {
  private readonly sdkDefault = new common.ExponentialBackOffWithJitter();
  private stopped = false;

  shouldRetry = (error: Error): boolean => !this.stopped && this.sdkDefault.shouldRetry(error);
  nextRetryTimeout = (retryCount: number, isThrottled: boolean): number => this.sdkDefault.nextRetryTimeout(retryCount, isThrottled);

  stop(): void {
    this.stopped = true;
  }
}

/** Asserts that the official device SDK cannot open a connection (CONNACK "not authorized"). */
export async function assertSdkDeviceRefused(testDevice: TestDevice, ca: string): Promise<void> {
  const client = await sdkDevice(testDevice, ca);
  try {
    await client.open().then(
      () => assert.fail(`'${testDevice.deviceId}' connected, but should have been refused`),
      (err: Error) => assert.match(err.message, /not authorized/i),
    );
  } finally {
    await client.close();
  }
}

/** The same device with another key (e.g. after its keys were regenerated). */
export function withKey(testDevice: TestDevice, key: string): TestDevice {
  return { ...testDevice, key, connectionString: testDevice.connectionString.replace(`SharedAccessKey=${testDevice.key}`, `SharedAccessKey=${key}`) };
}

async function sdkDevice(testDevice: TestDevice, ca: string): Promise<device.Client> {
  const client = device.Client.fromConnectionString(testDevice.connectionString, mqttTransport.Mqtt);
  await client.setOptions({ ca } as device.DeviceClientOptions);
  return client;
}

/** A plain mqtt.js connection speaking the device protocol (for refusals and ACL checks). */
export function mqttDevice(
  hub: GatewayTestHub,
  testDevice: { deviceId: string; key: string },
  overrides: Partial<IClientOptions> & { expiresAt?: Date } = {},
): MqttClient {
  const { expiresAt, ...mqttOptions } = overrides;
  return mqtt.connect(`mqtts://127.0.0.1:${hub.gateway.port}`, {
    clientId: testDevice.deviceId,
    username: `${hub.hub.hostName}/${testDevice.deviceId}/?api-version=2021-04-12`,
    password: createSasToken({
      sr: encodeURIComponent(`${hub.hub.hostName}/devices/${testDevice.deviceId}`),
      key: testDevice.key,
      expiresAt: expiresAt ?? new Date(Date.now() + 3600_000),
    }),
    ca: hub.hub.tls.ca,
    servername: 'localhost',
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...mqttOptions,
  });
}

/** The CONNACK outcome of an mqtt.js connection: 0, or the refusal's return code. */
export function connackCode(client: MqttClient): Promise<number> {
  return new Promise((resolve) => {
    client.once('connect', () => resolve(0));
    client.once('error', (err: Error & { code?: number }) => resolve(err.code ?? -1));
  });
}

/** Polls `check` until it holds or `timeoutMs` passes (then throws naming `what`). */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The arguments of the client's next `event` (mqtt.js's typed emitter does not fit events.once). */
export function nextEvent(client: MqttClient, event: 'close' | 'message' | 'packetreceive'): Promise<unknown[]> {
  return new Promise((resolve) => (client.once as (e: string, listener: (...args: unknown[]) => void) => void)(event, (...args) => resolve(args)));
}
