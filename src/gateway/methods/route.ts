import { Router } from 'express';
import { requirePermission } from '../../api/auth.js';
import { deviceIdParam } from '../../api/validate.js';
import { HubError } from '../../errors/hub-error.js';
import type { HubStore } from '../../registry/store.js';
import type { MethodInvoker, MethodResult } from './invoker.js';
import { parseMethodRequest } from './request.js';

export interface MethodsRouterDeps {
  invoker: MethodInvoker;
  store: Pick<HubStore, 'getDevice'>;
}

/**
 * `POST /twins/{id}/methods` → 200 `{status, payload}` as the device answered. Failures: unknown
 * device 404 DeviceNotFound (envelope 1, so the Node SDK raises DeviceNotFoundError); offline 404
 * 404103 and no answer 504 504101 (envelope 2 as IoT Hub; the Node SDK classifies 504 by status, so
 * it still raises GatewayTimeoutError). The module form answers ModuleNotFound: modules do not exist.
 */
export function createMethodsRouter(deps: MethodsRouterDeps): Router {
  const router = Router();

  router.post('/twins/:id/methods', requirePermission('ServiceConnect'), async (req, res) => {
    const deviceId = deviceIdParam(req);
    const request = parseMethodRequest(req.body);
    const result = await deps.invoker.invoke(deviceId, request);
    res.status(200).json(responseBody(result));
  });

  router.post('/twins/:id/modules/:moduleId/methods', requirePermission('ServiceConnect'), async (req) => {
    const deviceId = deviceIdParam(req);
    parseMethodRequest(req.body);
    if (!(await deps.store.getDevice(deviceId))) throw new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);
    throw new HubError('ModuleNotFound', `Module '${String(req.params.moduleId)}' on device '${deviceId}' was not found`);
  });

  return router;
}

export function responseBody(result: MethodResult): { status: number; payload: unknown } {
  if (result.kind === 'response') return { status: result.status, payload: result.payload };
  throw new HubError(result.code, result.message, { envelope: result.code === 'DeviceNotFound' ? 1 : 2 });
}
