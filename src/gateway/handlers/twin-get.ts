import type { Client } from 'aedes';
import { HubError } from '../../errors/hub-error.js';
import type { TwinSection } from '../../registry/model.js';
import { readTwin } from '../identities.js';
import { sendToDevice } from '../session/send.js';
import { twinResponseTopic } from '../topics.js';
import type { HandlerContext } from './context.js';
import { replyTwinError } from './twin-reply.js';

/** `$iothub/twin/GET/?$rid=` → `$iothub/twin/res/200/?$rid=` with `{desired, reported}`. */
export async function handleTwinGet(ctx: HandlerContext, client: Client, rid: string): Promise<void> {
  ctx.metrics.count('twinGets');
  try {
    const twin = await readTwin(ctx.store, client.id);
    if (!twin) throw new HubError('DeviceNotFound', `Device ${client.id} not found.`);
    const body = { desired: withoutMetadata(twin.properties.desired), reported: withoutMetadata(twin.properties.reported) };
    sendToDevice(client, twinResponseTopic(200, rid), JSON.stringify(body));
  } catch (err) {
    replyTwinError(client, rid, err, ctx.onError);
  }
}

/** Devices get the properties and `$version`, not the service-side `$metadata`. */
function withoutMetadata(section: TwinSection): Record<string, unknown> {
  const { $metadata: _metadata, ...rest } = section;
  return rest;
}
