/**
 * A simulated device on a real MQTT/TLS connection (mqtt.js) speaking IoT Hub's device protocol:
 * it answers direct methods as its behaviour says and can report desired properties back as
 * reported properties. The fleet (fleet.ts) of `iothub-jobs simulate`, bench:methods and
 * bench:jobs, and tests that need many devices, are made of these.
 */
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createSasToken } from '../auth/sas-token.js';
import { DESIRED_SUBSCRIPTION, METHODS_SUBSCRIPTION } from '../gateway/topics.js';

/** Where the gateway is. */
export interface GatewayTarget {
  /** Address to dial (default 127.0.0.1). */
  host?: string;
  port: number;
  /** PEM of the CA that signed the gateway's certificate (default: the system's trusted CAs). */
  ca?: string;
  /** Name checked against the certificate (default localhost). */
  servername?: string;
  /** The hub's host name: the scope of the device's identity (token `sr`, user name). */
  hostName: string;
}

export interface SimulatedDeviceIdentity {
  deviceId: string;
  /** The device's primary key (base64). */
  key: string;
}

/** A method answer: the status and the JSON body. */
export interface MethodReply {
  status: number;
  payload: Buffer;
}

export interface DeviceBehaviour {
  /** How to answer a method call; undefined never answers (the caller times out). Default: 200 `{"ok":true}`. */
  answer?: (methodName: string, payload: Buffer, deviceId: string) => MethodReply | undefined;
  /** Answer after this long, or after what it returns for each call (default at once). */
  answerDelayMs?: number | (() => number);
  /** Report desired properties back as reported ones: the twin's at connect, then every patch. */
  reportDesired?: boolean;
  /** Reconnect this long after losing the connection (default: stay disconnected). */
  reconnectAfterMs?: number;
  /** Called for every method answered and every reported patch sent (counters). */
  onActivity?: (kind: 'method' | 'reported', deviceId: string) => void;
  /** Called for every desired-property patch notification, with its `$version`. */
  onDesiredPatch?: (deviceId: string, version: number) => void;
}

const OK: MethodReply = { status: 200, payload: Buffer.from('{"ok":true}') };
const METHOD_REQUEST = /^\$iothub\/methods\/POST\/([^/]+)\/\?\$rid=(.+)$/;
const DESIRED_PATCH = '$iothub/twin/PATCH/properties/desired/';
const TWIN_RESPONSES = '$iothub/twin/res/#';
/** The `$rid` of the twin GET a reporting device sends once connected. */
const GET_RID = 'connect';

/** Desired properties without the twin's bookkeeping (`$version`, `$metadata`). */
const reportable = (desired: Record<string, unknown>) => Object.fromEntries(Object.entries(desired).filter(([key]) => !key.startsWith('$')));

/**
 * One TLS context per CA for all of a process's devices: building a context (parsing the CA, setting
 * up OpenSSL's SSL_CTX) costs about as much as the rest of a device's handshake, and a fleet's
 * devices all trust the same CA.
 */
const secureContexts = new Map<string | undefined, SecureContext>();
function secureContextFor(ca: string | undefined): SecureContext {
  let context = secureContexts.get(ca);
  if (!context) secureContexts.set(ca, (context = createSecureContext(ca === undefined ? {} : { ca })));
  return context;
}

/** Connects, subscribes (methods, and the twin topics when reporting), resolves once subscribed. */
export function connectDevice(target: GatewayTarget, device: SimulatedDeviceIdentity, behaviour: DeviceBehaviour = {}): Promise<MqttClient> {
  // mqtt.js hands its options on to tls.connect, secureContext included (its types do not list it).
  const options: IClientOptions & Pick<ConnectionOptions, 'secureContext'> = {
    clientId: device.deviceId,
    username: `${target.hostName}/${device.deviceId}/?api-version=2021-04-12`,
    password: createSasToken({
      sr: encodeURIComponent(`${target.hostName}/devices/${device.deviceId}`),
      key: device.key,
      expiresAt: new Date(Date.now() + 24 * 3600_000),
    }),
    secureContext: secureContextFor(target.ca),
    servername: target.servername ?? 'localhost',
    protocolVersion: 4,
    clean: true,
    keepalive: 180,
    // mqtt.js resubscribes on reconnect; with `clean` the hub starts each session afresh.
    reconnectPeriod: behaviour.reconnectAfterMs ?? 0,
    connectTimeout: 60_000,
  };
  const client = mqtt.connect(`mqtts://${target.host ?? '127.0.0.1'}:${target.port}`, options);
  let nextRid = 1;
  const report = (desired: Record<string, unknown>) => {
    client.publish(`$iothub/twin/PATCH/properties/reported/?$rid=${nextRid++}`, JSON.stringify(reportable(desired)), { qos: 0 });
    behaviour.onActivity?.('reported', device.deviceId);
  };
  client.on('message', (topic, payload) => {
    const method = METHOD_REQUEST.exec(topic);
    if (method) {
      const reply = behaviour.answer ? behaviour.answer(method[1]!, payload, device.deviceId) : OK;
      if (!reply) return;
      const send = () => {
        client.publish(`$iothub/methods/res/${reply.status}/?$rid=${method[2]}`, reply.payload, { qos: 0 });
        behaviour.onActivity?.('method', device.deviceId);
      };
      const delayMs = typeof behaviour.answerDelayMs === 'function' ? behaviour.answerDelayMs() : behaviour.answerDelayMs;
      if (delayMs) setTimeout(send, delayMs);
      else send();
      return;
    }
    if (topic.startsWith(DESIRED_PATCH)) {
      const patch = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (typeof patch.$version === 'number') behaviour.onDesiredPatch?.(device.deviceId, patch.$version);
      if (behaviour.reportDesired) report(patch);
      return;
    }
    if (!behaviour.reportDesired) return;
    else if (topic.startsWith(`$iothub/twin/res/200/?$rid=${GET_RID}`)) {
      const { desired } = JSON.parse(payload.toString('utf8')) as { desired?: Record<string, unknown> };
      if (desired && Object.keys(reportable(desired)).length > 0) report(desired);
    }
  });
  const subscriptions =
    behaviour.reportDesired || behaviour.onDesiredPatch ? [METHODS_SUBSCRIPTION, DESIRED_SUBSCRIPTION, TWIN_RESPONSES] : [METHODS_SUBSCRIPTION];
  return new Promise((resolve, reject) => {
    let settled = false;
    // A device that cannot connect is closed (it must not go on reconnecting); after it has
    // connected, errors show as 'close' and are not fatal.
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      client.end(true);
      reject(err);
    };
    client.on('error', fail);
    client.once('connect', () => {
      client.subscribe(subscriptions, { qos: 0 }, (err) => {
        if (err) return fail(err);
        settled = true;
        if (behaviour.reportDesired) client.publish(`$iothub/twin/GET/?$rid=${GET_RID}`, ' ', { qos: 0 });
        resolve(client);
      });
    });
  });
}
