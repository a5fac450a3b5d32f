import type { Client } from 'aedes';
import type { PublishPacket } from 'aedes';
import { classifyDevicePublish } from '../topics.js';
import type { HandlerContext } from './context.js';
import { handleTwinGet } from './twin-get.js';
import { handleTwinReported } from './twin-reported.js';

/**
 * Handles one device publish by kind. Returns false, handling nothing, for a topic the device may not
 * publish to (the gateway then closes the connection).
 */
export function handleDevicePublish(ctx: HandlerContext, client: Client, packet: PublishPacket): boolean {
  const message = classifyDevicePublish(packet.topic, client.id);
  if (!message) return false;
  const body = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
  switch (message.kind) {
    case 'telemetry':
      ctx.metrics.countTelemetry(client.id);
      return true;
    case 'methodResponse':
      ctx.dispatcher.handleResponse(client.id, message.rid, message.status, body);
      return true;
    case 'twinGet':
      void handleTwinGet(ctx, client, message.rid);
      return true;
    case 'twinReported':
      void handleTwinReported(ctx, client, message.rid, body);
      return true;
  }
}
