import { Router, type Request } from 'express';
import { z } from 'zod';
import { HubError } from '../../errors/hub-error.js';
import type { Logger } from '../../logger.js';
import { validateDeviceId } from '../../registry/device/device-id.js';
import type { HubEvents } from '../../registry/events.js';
import { identityKey } from '../../registry/module/key.js';
import type { HubStore, ModuleCreate } from '../../registry/store.js';
import { requirePermission } from '../auth.js';
import { notifyAfterCommit } from '../notify.js';
import { deviceIdParam, parseInput, requestBody } from '../validate.js';
import { authenticationBody, optionalString, toAuthentication } from './devices.js';
import { answerTwinWrite, parseTwinServiceUpdate } from './twins.js';

export const moduleBody = z.looseObject({
  deviceId: optionalString,
  moduleId: optionalString,
  managedBy: z.string().nullish(),
  authentication: authenticationBody,
});

/** The `:moduleId` path parameter, checked against the module id rules. */
export function moduleIdParam(req: Request): string {
  const moduleId = parseInput(z.string(), req.params.moduleId, 'path parameter moduleId');
  validateDeviceId(moduleId, 'Module id');
  return moduleId;
}

function toModuleCreate(req: Request): ModuleCreate {
  const deviceId = deviceIdParam(req);
  const moduleId = moduleIdParam(req);
  const body = requestBody(req, moduleBody);
  if (body.deviceId !== undefined && body.deviceId !== deviceId) {
    throw new HubError('ArgumentInvalid', `deviceId '${body.deviceId}' in the body does not match '${deviceId}' in the path`);
  }
  if (body.moduleId !== undefined && body.moduleId !== moduleId) {
    throw new HubError('ArgumentInvalid', `moduleId '${body.moduleId}' in the body does not match '${moduleId}' in the path`);
  }
  return { deviceId, moduleId, managedBy: body.managedBy ?? null, authentication: toAuthentication(body.authentication) };
}

const moduleNotFound = (deviceId: string, moduleId: string) => new HubError('ModuleNotFound', `Module '${moduleId}' on device '${deviceId}' was not found`);

/**
 * Module identities (`PUT/GET/DELETE /devices/{id}/modules/{moduleId}`, `GET /devices/{id}/modules`;
 * RegistryRead / RegistryWrite) and module twins (`GET/PATCH/PUT /twins/{id}/modules/{moduleId}`;
 * ServiceConnect). A module's connection key is `{deviceId}/{moduleId}` in the events.
 */
export function modulesRouter(store: HubStore, events: HubEvents, log: Logger): Router {
  const router = Router();
  const identityChanged = (deviceId: string, moduleId: string) =>
    notifyAfterCommit(log, `Identity-change notification for module '${deviceId}/${moduleId}'`, () =>
      events.onDeviceChange?.(identityKey(deviceId, moduleId), undefined),
    );

  router.get('/devices/:id/modules', requirePermission('RegistryRead'), async (req, res) => {
    res.json(await store.listModules(deviceIdParam(req)));
  });

  router.get('/devices/:id/modules/:moduleId', requirePermission('RegistryRead'), async (req, res) => {
    const [deviceId, moduleId] = [deviceIdParam(req), moduleIdParam(req)];
    const module = await store.getModule(deviceId, moduleId);
    if (!module) throw moduleNotFound(deviceId, moduleId);
    res.set('ETag', `"${module.etag}"`).json(module);
  });

  // Without If-Match a PUT creates (409 if the id is taken on the device); with one it replaces.
  router.put('/devices/:id/modules/:moduleId', requirePermission('RegistryWrite'), async (req, res) => {
    const input = toModuleCreate(req);
    const ifMatch = req.get('if-match');
    const module = ifMatch === undefined ? await store.createModule(input) : await store.updateModule(input, ifMatch);
    events.onTwinsChanged?.();
    if (ifMatch !== undefined) identityChanged(module.deviceId, module.moduleId);
    res.set('ETag', `"${module.etag}"`).json(module);
  });

  router.delete('/devices/:id/modules/:moduleId', requirePermission('RegistryWrite'), async (req, res) => {
    const [deviceId, moduleId] = [deviceIdParam(req), moduleIdParam(req)];
    await store.deleteModule(deviceId, moduleId, req.get('if-match'));
    identityChanged(deviceId, moduleId);
    res.status(204).end();
  });

  router.get('/twins/:id/modules/:moduleId', requirePermission('ServiceConnect'), async (req, res) => {
    const [deviceId, moduleId] = [deviceIdParam(req), moduleIdParam(req)];
    const twin = await store.getModuleTwin(deviceId, moduleId);
    if (!twin) throw moduleNotFound(deviceId, moduleId);
    res.set('ETag', `"${twin.etag}"`).json(twin);
  });

  for (const [method, mode] of [
    ['patch', 'patch'],
    ['put', 'replace'],
  ] as const) {
    router[method]('/twins/:id/modules/:moduleId', requirePermission('ServiceConnect'), async (req, res) => {
      const [deviceId, moduleId] = [deviceIdParam(req), moduleIdParam(req)];
      const update = parseTwinServiceUpdate(req.body, 'body');
      answerTwinWrite(res, await store.updateModuleTwin(deviceId, moduleId, update, { mode, ifMatch: req.get('if-match') }), events, log);
    });
  }

  return router;
}
