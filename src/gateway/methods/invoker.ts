import { readIdentity, type IdentityStore } from '../identities.js';
import type { DeviceRouter } from '../routing/device-router.js';
import { connectTimedOut, deviceNotOnline } from './outcomes.js';
import type { MethodRequest } from './request.js';

/** What a direct-method call came to; errors are data here, the HTTP route turns them into HubErrors. */
export type MethodResult = { kind: 'response'; status: number; payload: unknown } | { kind: 'error'; code: MethodErrorCode; message: string };

export type MethodErrorCode = 'DeviceNotFound' | 'DeviceNotOnline' | 'GatewayTimeout';

export interface MethodInvoker {
  /** Calls a method on a device wherever it is connected; `request` as `parseMethodRequest` returns it. */
  invoke(deviceId: string, request: MethodRequest): Promise<MethodResult>;
}

export interface MethodInvokerDeps {
  store: Pick<IdentityStore, 'getDevice' | 'getModule'>;
  router: DeviceRouter;
  /**
   * How long a connected device that has not subscribed to methods yet (it has just connected) is
   * waited for, taken out of the response timeout; default 3000 ms.
   */
  subscribeGraceMs?: number;
}

/**
 * The direct-method invocation path, used by `POST /twins/{id}/methods` and by job activities (in any
 * process: the router finds the gateway holding the device). Timing: an offline device is waited for
 * up to `connectTimeoutInSeconds`; a connected but unsubscribed one up to the grace period (or the
 * connect timeout if longer); the device then has `responseTimeoutInSeconds` to answer, less any
 * wait beyond the connect timeout, so the whole call ends within connect + response timeout.
 * The registry is read only when no gateway holds the device: a device holding a connection
 * authenticated as a registered device, and the gateway drops that connection at once when the
 * identity is deleted, disabled or re-keyed (HubEvents.onDeviceChange), so it cannot answer after.
 */
export function createMethodInvoker(deps: MethodInvokerDeps): MethodInvoker {
  const graceMs = deps.subscribeGraceMs ?? 3_000;
  return {
    async invoke(deviceId, request) {
      const responseTimeoutMs = request.responseTimeoutInSeconds * 1000;
      const start = Date.now();
      const connectDeadline = start + request.connectTimeoutInSeconds * 1000;
      const subscribeDeadline = Math.max(connectDeadline, start + Math.min(graceMs, responseTimeoutMs));
      for (let attempt = 1; ; attempt++) {
        const now = Date.now();
        const outcome = await deps.router.invokeMethod(deviceId, {
          methodName: request.methodName,
          payload: request.payload,
          subscribeWaitMs: Math.max(0, subscribeDeadline - now),
          connectRemainingMs: Math.max(0, connectDeadline - now),
          responseTimeoutMs,
        });
        if (outcome) return outcome;
        if (attempt === 1 && !(await readIdentity(deps.store, deviceId))) {
          return { kind: 'error', code: 'DeviceNotFound', message: `Device '${deviceId}' was not found` };
        }
        const left = connectDeadline - Date.now();
        if (left <= 0) return request.connectTimeoutInSeconds > 0 ? connectTimedOut() : deviceNotOnline();
        if (!(await deps.router.waitForDevice(deviceId, left))) return connectTimedOut();
      }
    },
  };
}
