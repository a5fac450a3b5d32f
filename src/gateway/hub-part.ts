import { readFileSync } from 'node:fs';
import type { Router } from 'express';
import { createMethodsRouter } from '../api/routes/methods.js';
import type { HubPartContext, HubPartHandle } from '../hub.js';
import type { HubEvents } from '../registry/events.js';
import { brokerReadiness, exportGatewayMetrics, timedInvoker } from '../observe/gateway-metrics.js';
import { hubNow } from '../registry/time.js';
import { createDeviceServices, type DeviceServices } from './device-services.js';
import { startGateway, type Gateway } from './gateway.js';

export interface GatewayPartOptions {
  /** Run the MQTT broker in this process (default true); false for api/worker-only processes. */
  broker?: boolean;
  /** MQTT over TLS; default 8883, 0 lets the OS pick. */
  mqttsPort?: number;
  /** MQTT over secure WebSockets on a port of its own; absent means off (the REST port serves it anyway). */
  wsPort?: number;
  /** PEM file of the CA certificates X.509 'certificateAuthority' devices must chain to. */
  deviceCaFile?: string;
  /** redis://… to route between hub processes; absent keeps routing in-process. */
  redisUrl?: string;
  /** Redis channel prefix (default `iothub:`), for several hubs on one Redis. */
  redisPrefix?: string;
  /** At most one `lastActivityTime` write per device per interval (ms). */
  activityIntervalMs?: number;
  /** Grace for a connected device to subscribe to methods (ms). */
  subscribeGraceMs?: number;
}

export interface GatewayPart extends HubPartHandle {
  /** `POST /twins/{id}/methods` (and the module form). */
  routers: Router[];
  /** The desired-property notifier for the twin writers. */
  events: HubEvents;
  /** `mqtts` (and `mqttWss`) when this process runs the broker, recorded in hub.json. */
  ports: Record<string, number>;
  services: DeviceServices;
  /** The broker, when this process runs one. */
  gateway: Gateway | undefined;
  close(): Promise<void>;
}

/** The gateway as a part of `startHub`: device routing, the methods route and (optionally) the broker. */
export function gatewayPart(options: GatewayPartOptions = {}): (context: HubPartContext) => Promise<GatewayPart> {
  return async (context) => {
    const created = await createDeviceServices({
      store: context.store,
      redisUrl: options.redisUrl,
      redisPrefix: options.redisPrefix,
      subscribeGraceMs: options.subscribeGraceMs,
      log: context.log,
    });
    const services = { ...created, invoker: timedInvoker(created.invoker, context.metrics) };
    let gateway: Gateway | undefined;
    try {
      if (options.broker !== false) {
        const deviceCa = options.deviceCaFile === undefined ? undefined : readDeviceCa(options.deviceCaFile);
        // Before the first connection: devices still recorded Connected from before this start were
        // connected when a gateway went down (method jobs give them a grace to come back).
        await context.store.recordGatewayStart(hubNow());
        gateway = await startGateway({
          store: context.store,
          router: services.router,
          tls: context.tls,
          host: context.bindAddress,
          port: options.mqttsPort,
          wsPort: options.wsPort,
          deviceCa,
          hubHostName: context.hostName,
          policies: context.policies,
          activityIntervalMs: options.activityIntervalMs,
          connectEvents: services.connectEvents,
          onError: (err) => context.log.error({ err }, 'Device gateway error'),
          log: context.log,
        });
        exportGatewayMetrics(gateway, context.metrics);
        brokerReadiness(context.readiness, context.bindAddress, gateway.port);
      }
    } catch (err) {
      await services.close();
      throw err;
    }
    return {
      // The module form first: it answers for modules that exist (the methods router's is a stub).
      routers: [createMethodsRouter({ invoker: services.invoker, store: context.store })],
      events: services.events,
      ports: gateway ? { mqtts: gateway.port, ...(gateway.wsPort === undefined ? {} : { mqttWss: gateway.wsPort }) } : {},
      services,
      gateway,
      ...(gateway && { webSocket: { upgrade: gateway.upgrade, tls: gateway.tlsOptions } }),
      async close() {
        await gateway?.close();
        await services.close();
      },
    };
  };
}

function readDeviceCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read HUB_DEVICE_CA_FILE ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`HUB_DEVICE_CA_FILE ${file} holds no PEM certificate`);
  return pem;
}
