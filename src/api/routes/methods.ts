import { Router } from 'express';
import { HubError } from '../../errors/hub-error.js';
import type { MethodInvoker, MethodResult } from '../../gateway/methods/invoker.js';
import { parseMethodRequest } from '../../gateway/methods/request.js';
import { identityKey } from '../../registry/module/key.js';
import type { HubStore } from '../../registry/store.js';
import { requirePermission } from '../auth.js';
import { deviceIdParam } from '../validate.js';
import { moduleIdParam } from './modules.js';

export interface MethodsRouterDeps {
  invoker: MethodInvoker;
  store: Pick<HubStore, 'getDevice' | 'getModule'>;
}

/**
 * `POST /twins/{id}/methods` → 200 `{status, payload}` as the device answered. Failures: unknown
 * device 404 DeviceNotFound (envelope 1, so the Node SDK raises DeviceNotFoundError); offline 404
 * 404103 and no answer 504 504101 (envelope 2 as IoT Hub; the Node SDK classifies 504 by status, so
 * it still raises GatewayTimeoutError). `POST /twins/{id}/modules/{moduleId}/methods`: the same for a
 * module connected with client id `{id}/{moduleId}`; an unknown module of a known device is
 * ModuleNotFound.
 */
export function createMethodsRouter(deps: MethodsRouterDeps): Router {
  const router = Router();

  router.post('/twins/:id/methods', requirePermission('ServiceConnect'), async (req, res) => {
    const deviceId = deviceIdParam(req);
    const request = parseMethodRequest(req.body);
    const result = await deps.invoker.invoke(deviceId, request);
    res.status(200).json(responseBody(result));
  });

  router.post('/twins/:id/modules/:moduleId/methods', requirePermission('ServiceConnect'), async (req, res) => {
    const [deviceId, moduleId] = [deviceIdParam(req), moduleIdParam(req)];
    const request = parseMethodRequest(req.body);
    if (!(await deps.store.getModule(deviceId, moduleId))) {
      if (!(await deps.store.getDevice(deviceId))) throw new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);
      throw new HubError('ModuleNotFound', `Module '${moduleId}' on device '${deviceId}' was not found`);
    }
    res.status(200).json(responseBody(await deps.invoker.invoke(identityKey(deviceId, moduleId), request)));
  });

  return router;
}

function responseBody(result: MethodResult): { status: number; payload: unknown } {
  if (result.kind === 'response') return { status: result.status, payload: result.payload };
  throw new HubError(result.code, result.message, { envelope: result.code === 'DeviceNotFound' ? 1 : 2 });
}
