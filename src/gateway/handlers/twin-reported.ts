import type { Client } from 'aedes';
import { HubError } from '../../errors/hub-error.js';
import { patchReported } from '../identities.js';
import { sendToDevice } from '../session/send.js';
import { twinResponseTopic } from '../topics.js';
import type { HandlerContext } from './context.js';
import { replyTwinError } from './twin-reply.js';

/**
 * `$iothub/twin/PATCH/properties/reported/?$rid=` with a JSON patch (null deletes) →
 * `$iothub/twin/res/204/?$rid={rid}&$version={new reported version}`, empty body.
 */
export async function handleTwinReported(ctx: HandlerContext, client: Client, rid: string, body: Buffer): Promise<void> {
  ctx.metrics.count('twinReportedPatches');
  try {
    const version = await patchReported(ctx.store, client.id, parsePatch(body));
    sendToDevice(client, twinResponseTopic(204, rid, version), '');
  } catch (err) {
    replyTwinError(client, rid, err, ctx.onError);
  }
}

function parsePatch(body: Buffer): Record<string, unknown> {
  let patch: unknown;
  try {
    patch = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HubError('IotHubFormatError', 'The reported properties patch is not valid JSON.');
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new HubError('ArgumentInvalid', 'The reported properties patch must be a JSON object.');
  }
  return patch as Record<string, unknown>;
}
