import { TLSSocket } from 'node:tls';
import type { AedesOptions, AuthenticateError, Client } from 'aedes';
import type { Logger } from '../logger.js';
import { authenticateDevice, type ClientCertificate, type DeviceAuthDeps } from './auth/device-auth.js';
import type { HandlerContext } from './handlers/context.js';
import { handleDevicePublish } from './handlers/index.js';
import type { DeviceConnections } from './session/connections.js';
import type { ActivityRecorder } from './session/activity.js';
import { isSubscriptionAllowed } from './topics.js';

export interface BrokerHookDeps {
  auth: DeviceAuthDeps;
  handlers: HandlerContext;
  connections: DeviceConnections;
  activity: ActivityRecorder;
  log: Logger;
}

type Hooks = Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>>;

/** The aedes hooks that make it an IoT Hub device endpoint: who may connect, publish and subscribe. */
export function brokerHooks({ auth, handlers, connections, activity, log }: BrokerHookDeps): Hooks {
  const { metrics, onError } = handlers;
  return {
    authenticate(client, username, password, done) {
      authenticateDevice({ clientId: client.id, username, password, certificate: clientCertificate(client, auth.trustsDeviceCa) }, auth).then(
        (result) => {
          if (result.ok) {
            metrics.count('connectionsAccepted');
            log.debug({ deviceId: client.id }, 'Device connected');
            connections.authenticated(client, result.admits, result.expiresAt);
            return done(null, true);
          }
          metrics.count('connectionsRefused');
          // The reason names what was wrong, never the credentials themselves.
          log.info({ deviceId: client.id, returnCode: result.returnCode, reason: result.reason }, 'Device connection refused');
          done(refusal(result.returnCode, result.reason), false);
        },
        (err: unknown) => {
          onError(err);
          done(refusal(3, 'server unavailable'), false);
        },
      );
    },
    authorizePublish(client, packet, done) {
      if (!client) return done(null);
      // A receiver of U+0000 in a string must close the connection [MQTT-1.5.3-2]; aedes does not check topic names.
      if (packet.topic.includes('\u0000')) return done(new Error('U+0000 in a topic name'));
      // IoT Hub closes the connection on QoS 2 publishes; retained messages are not supported.
      if (packet.qos === 2) return done(new Error('QoS 2 is not supported'));
      packet.retain = false;
      if (!handleDevicePublish(handlers, client, packet)) {
        // MQTT 3.1.1 cannot refuse a PUBLISH but by closing the connection [MQTT-3.3.5-2], which is what
        // IoT Hub does to a device publishing where it is not authorized (e.g. another device's topics).
        metrics.count('refusedPublishes');
        log.warn({ deviceId: client.id, topic: packet.topic.slice(0, 256) }, 'Device published to a topic it may not publish to: connection closed');
        return done(new Error('not authorized to publish to this topic'));
      }
      activity.touch(client.id);
      done(null);
    },
    authorizeSubscribe(client, subscription, done) {
      if (subscription.topic.includes('\u0000')) return done(new Error('U+0000 in a topic filter'));
      if (!isSubscriptionAllowed(subscription.topic, client.id)) {
        metrics.count('refusedSubscriptions');
        return done(null, null);
      }
      done(null, { ...subscription, qos: subscription.qos === 0 ? 0 : 1 });
    },
    // Device publishes are handled by the hub, never relayed to other MQTT clients; only the hub's
    // own messages (no clientId) reach devices.
    authorizeForward: (_client, packet) => ((packet as { clientId?: string }).clientId === undefined ? packet : null),
  };
}

/** The TLS client certificate of a connection (MQTTS, or WSS through its HTTP request), if it sent one. */
function clientCertificate(client: Client, trustsDeviceCa: boolean | undefined): ClientCertificate | undefined {
  const socket = client.req?.socket ?? client.conn;
  if (!(socket instanceof TLSSocket)) return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer?.raw) return undefined;
  const cn = peer.subject?.CN;
  return { der: peer.raw, commonName: Array.isArray(cn) ? cn[0] : cn, chainTrusted: trustsDeviceCa === true && socket.authorized };
}

function refusal(returnCode: 3 | 4 | 5, reason: string): AuthenticateError {
  return Object.assign(new Error(reason), { returnCode }) as AuthenticateError;
}
