import { connect } from 'node:net';
import type { Gateway } from '../gateway/gateway.js';
import type { MethodInvoker } from '../gateway/methods/invoker.js';
import type { HubMetrics } from './metrics.js';
import type { Readiness } from './readiness.js';

/** Each direct-method call observed into iothub_method_round_trip_seconds by outcome (`response` or the error code). */
export function timedInvoker(invoker: MethodInvoker, metrics: HubMetrics): MethodInvoker {
  return {
    async invoke(deviceId, request) {
      const end = metrics.methodRoundTrip.startTimer();
      try {
        const result = await invoker.invoke(deviceId, request);
        end({ outcome: result.kind === 'response' ? 'response' : result.code });
        return result;
      } catch (err) {
        end({ outcome: 'error' });
        throw err;
      }
    },
  };
}

/** The broker's counters (GatewayMetrics) and live connections, read at scrape time. */
export function exportGatewayMetrics(gateway: Gateway, metrics: HubMetrics): void {
  const counters = () => gateway.metrics.snapshot();
  metrics.gauge('iothub_mqtt_connected_devices', 'Devices with a live MQTT connection to this process', [], (gauge) => gauge.set(gateway.connectedDevices));
  metrics.counterFrom(
    'iothub_mqtt_connections_total',
    'MQTT connections by result: accepted, refused (CONNACK refusal), revoked (identity changed), expired (SAS token expired)',
    ['result'],
    () => {
      const c = counters();
      return [
        [{ result: 'accepted' }, c.connectionsAccepted],
        [{ result: 'refused' }, c.connectionsRefused],
        [{ result: 'revoked' }, c.connectionsRevoked],
        [{ result: 'expired' }, c.connectionsExpired],
      ];
    },
  );
  metrics.counterFrom('iothub_mqtt_messages_total', 'MQTT messages by kind (device to hub and hub to device)', ['kind'], () => {
    const c = counters();
    return [
      [{ kind: 'telemetry' }, c.telemetryMessages],
      [{ kind: 'twin_get' }, c.twinGets],
      [{ kind: 'twin_reported_patch' }, c.twinReportedPatches],
      [{ kind: 'desired_notification' }, c.desiredNotifications],
      [{ kind: 'method_request' }, c.methodRequests],
      [{ kind: 'method_response' }, c.methodResponses],
    ];
  });
  metrics.counterFrom('iothub_mqtt_refused_total', 'MQTT publishes and subscriptions refused (topic or permission)', ['what'], () => {
    const c = counters();
    return [
      [{ what: 'publish' }, c.refusedPublishes],
      [{ what: 'subscribe' }, c.refusedSubscriptions],
    ];
  });
  metrics.counterFrom('iothub_method_timeouts_total', 'Direct-method requests sent to devices here that got no answer in time', [], () => [
    [{}, counters().methodTimeouts],
  ]);
}

/** Readiness of the broker: its MQTTS port accepts a TCP connection (closed at once). */
export function brokerReadiness(readiness: Readiness, host: string, port: number): void {
  const dialHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  readiness.add(
    'broker',
    () =>
      new Promise<void>((resolve, reject) => {
        const socket = connect({ host: dialHost, port });
        socket.once('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', (err) => reject(new Error(`the MQTTS port ${port} does not accept connections: ${err.message}`)));
      }),
  );
}
