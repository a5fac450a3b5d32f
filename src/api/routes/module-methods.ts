import { Router } from 'express';
import { HubError } from '../../errors/hub-error.js';
import type { MethodInvoker } from '../../gateway/methods/invoker.js';
import { parseMethodRequest } from '../../gateway/methods/request.js';
import { responseBody } from '../../gateway/methods/route.js';
import { identityKey } from '../../registry/module/key.js';
import type { HubStore } from '../../registry/store.js';
import { requirePermission } from '../auth.js';
import { deviceIdParam } from '../validate.js';
import { moduleIdParam } from './modules.js';

export interface ModuleMethodsRouterDeps {
  invoker: MethodInvoker;
  store: Pick<HubStore, 'getDevice' | 'getModule'>;
}

/**
 * `POST /twins/{id}/modules/{moduleId}/methods`: a direct method on a module connected with client id
 * `{id}/{moduleId}`, answered as the device form (`{status, payload}`, the same timeouts and errors);
 * an unknown device is DeviceNotFound, an unknown module of it ModuleNotFound.
 */
export function moduleMethodsRouter(deps: ModuleMethodsRouterDeps): Router {
  const router = Router();
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
