import { Router } from 'express';
import { z } from 'zod';
import { HubError } from '../../errors/hub-error.js';
import type { HubEvents } from '../../registry/events.js';
import type { Device } from '../../registry/model.js';
import type { DeviceCreate, HubStore } from '../../registry/store.js';
import type { Logger } from '../../logger.js';
import { identityKey } from '../../registry/module/key.js';
import { requirePermission } from '../auth.js';
import { notifyAfterCommit } from '../notify.js';
import { deviceIdParam, parseInput, requestBody, topParam } from '../validate.js';

// SDKs send nulls for unset fields; they mean "not given".
export const optionalString = z
  .string()
  .nullish()
  .transform((value) => value ?? undefined);

/** `authentication` of a device or module body, as the SDKs send it. */
export const authenticationBody = z
  .looseObject({
    type: z
      .enum(['sas', 'selfSigned', 'certificateAuthority', 'none'])
      .nullish()
      .transform((value) => value ?? undefined),
    symmetricKey: z.looseObject({ primaryKey: optionalString, secondaryKey: optionalString }).nullish(),
    x509Thumbprint: z.looseObject({ primaryThumbprint: optionalString, secondaryThumbprint: optionalString }).nullish(),
  })
  .nullish();

export function toAuthentication(body: z.infer<typeof authenticationBody>): DeviceCreate['authentication'] {
  return body ? { type: body.type, symmetricKey: body.symmetricKey ?? undefined, x509Thumbprint: body.x509Thumbprint ?? undefined } : undefined;
}

export const deviceBody = z.looseObject({
  deviceId: optionalString,
  status: z
    .enum(['enabled', 'disabled'])
    .nullish()
    .transform((value) => value ?? undefined),
  statusReason: z.string().nullish(),
  authentication: authenticationBody,
  capabilities: z.looseObject({ iotEdge: z.boolean().nullish() }).nullish(),
  // Absent keeps a leaf device's parent, null or '' removes it (see src/registry/device/scopes.ts).
  deviceScope: z.string().nullish(),
  parentScopes: z.array(z.string()).nullish(),
});

export const devicesListQuery = z.looseObject({ top: topParam });

function toDeviceCreate(deviceId: string, body: z.infer<typeof deviceBody>): DeviceCreate {
  if (body.deviceId !== undefined && body.deviceId !== deviceId) {
    throw new HubError('ArgumentInvalid', `deviceId '${body.deviceId}' in the body does not match '${deviceId}' in the path`);
  }
  return deviceCreateOf(deviceId, body);
}

/** A device body (REST, bulk or import) as the store's DeviceCreate. */
export function deviceCreateOf(deviceId: string, body: z.infer<typeof deviceBody>): DeviceCreate {
  return {
    deviceId,
    status: body.status,
    statusReason: body.statusReason ?? null,
    authentication: toAuthentication(body.authentication),
    capabilities: body.capabilities ? { iotEdge: body.capabilities.iotEdge ?? undefined } : undefined,
    deviceScope: body.deviceScope,
    parentScopes: body.parentScopes,
  };
}

/**
 * Identity registry: `PUT/GET/DELETE /devices/{id}`, `GET /devices[/]` (IoT Hub's permissions: RegistryRead /
 * RegistryWrite). Replacing or deleting an identity tells `events.onDeviceChange`, so the gateway
 * drops connections the identity no longer admits.
 */
export function devicesRouter(store: HubStore, events: HubEvents, log: Logger): Router {
  const router = Router();
  const identityChanged = (deviceId: string, device: Device | undefined) =>
    notifyAfterCommit(log, `Identity-change notification for '${deviceId}'`, () => events.onDeviceChange?.(deviceId, device));

  router.get('/devices', requirePermission('RegistryRead'), async (req, res) => {
    const { top } = parseInput(devicesListQuery, req.query, 'query');
    res.json(await store.listDevices(top));
  });

  router.get('/devices/:id', requirePermission('RegistryRead'), async (req, res) => {
    const deviceId = deviceIdParam(req);
    const device = await store.getDevice(deviceId);
    if (!device) throw new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);
    res.set('ETag', `"${device.etag}"`).json(device);
  });

  // Without If-Match a PUT creates (409 if the id is taken); with one (`*` or an etag) it replaces.
  router.put('/devices/:id', requirePermission('RegistryWrite'), async (req, res) => {
    const input = toDeviceCreate(deviceIdParam(req), requestBody(req, deviceBody));
    const ifMatch = req.get('if-match');
    const device = ifMatch === undefined ? await store.createDevice(input) : await store.updateDevice(input, ifMatch);
    events.onTwinsChanged?.();
    if (ifMatch !== undefined) {
      identityChanged(device.deviceId, device);
      // A disabled device's modules may not stay connected either.
      for (const module of await store.listModules(device.deviceId)) identityChanged(identityKey(device.deviceId, module.moduleId), undefined);
    }
    res.set('ETag', `"${device.etag}"`).json(device);
  });

  router.delete('/devices/:id', requirePermission('RegistryWrite'), async (req, res) => {
    const deviceId = deviceIdParam(req);
    const { moduleIds } = await store.deleteDevice(deviceId, req.get('if-match'));
    identityChanged(deviceId, undefined);
    for (const moduleId of moduleIds) identityChanged(identityKey(deviceId, moduleId), undefined);
    res.status(204).end();
  });

  return router;
}
