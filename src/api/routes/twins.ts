import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { HubError } from '../../errors/hub-error.js';
import type { HubEvents } from '../../registry/events.js';
import type { DesiredPropertiesPatch, Twin, TwinServiceUpdate } from '../../registry/model.js';
import type { HubStore } from '../../registry/store.js';
import type { Logger } from '../../logger.js';
import { requirePermission } from '../auth.js';
import { notifyAfterCommit } from '../notify.js';
import { deviceIdParam, jsonObject, parseInput } from '../validate.js';

/**
 * A twin (or a subset) as the SDKs send it. Identity fields, `etag`, `version` and `$metadata` are
 * ignored (C# sends `etag:null`, `version:null`, `deviceId`); `properties.reported` may only be empty.
 * `tags: null` / `properties.desired: null` remove the whole section's content.
 */
export const twinBody = z.looseObject({
  tags: jsonObject.nullish(),
  properties: z.looseObject({ desired: jsonObject.nullish(), reported: jsonObject.nullish() }).nullish(),
});

/**
 * The tags / desired part of a service-side twin body (also a twin job's `updateTwin`, named `what`
 * in messages); a non-empty `properties.reported` is refused. Content rules are the twin model's.
 */
export function parseTwinServiceUpdate(value: unknown, what: string): TwinServiceUpdate {
  const body = parseInput(twinBody, value ?? {}, what);
  const reported = body.properties?.reported;
  if (reported && Object.keys(reported).length > 0) {
    throw new HubError('ArgumentInvalid', 'properties.reported cannot be written by the service: reported properties come from the device');
  }
  // `null` removes every key of the section, as IoT Hub does; absent leaves it alone.
  return { tags: body.tags, desired: body.properties?.desired };
}

const serviceUpdate = (req: Request) => parseTwinServiceUpdate(req.body, 'body');

/** Answers a committed twin write (device or module) with the twin, after telling the devices and configurations. */
export function answerTwinWrite(res: Response, written: { twin: Twin; desiredChange?: DesiredPropertiesPatch }, events: HubEvents, log: Logger): void {
  const { twin, desiredChange } = written;
  if (desiredChange) {
    notifyAfterCommit(log, `Desired-property notification for '${desiredChange.deviceId}'`, () => events.onDesiredChange(desiredChange));
  }
  events.onTwinsChanged?.();
  res.set('ETag', `"${twin.etag}"`).json(twin);
}

/** Device twins: `GET`, `PATCH` (merge) and `PUT` (replace) on `/twins/{id}` (ServiceConnect). */
export function twinsRouter(store: HubStore, events: HubEvents, log: Logger): Router {
  const router = Router();

  router.get('/twins/:id', requirePermission('ServiceConnect'), async (req, res) => {
    const deviceId = deviceIdParam(req);
    const twin = await store.getTwin(deviceId);
    if (!twin) throw new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);
    res.set('ETag', `"${twin.etag}"`).json(twin);
  });

  for (const [method, mode] of [
    ['patch', 'patch'],
    ['put', 'replace'],
  ] as const) {
    router[method]('/twins/:id', requirePermission('ServiceConnect'), async (req, res) => {
      const deviceId = deviceIdParam(req);
      answerTwinWrite(res, await store.updateTwin(deviceId, serviceUpdate(req), { mode, ifMatch: req.get('if-match') }), events, log);
    });
  }

  return router;
}
