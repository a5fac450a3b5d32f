import type { MethodInvoker } from '../src/gateway/methods/invoker.js';
import type { ReconnectGraceStore } from '../src/registry/store.js';

/**
 * A method job's invoker that gives a device offline because of the hub's own restart time to come
 * back: a device not online that was connected when a gateway went down (still recorded Connected
 * from before the latest gateway start) is waited for until `graceMs` after that start, as a
 * connect timeout would wait for it; after the grace it is offline (DeviceNotOnline) as usual.
 */
export function withReconnectGrace(invoker: MethodInvoker, store: ReconnectGraceStore, graceMs: number, clock: () => number = Date.now): MethodInvoker {
  if (graceMs <= 0) return invoker;
  return {
    async invoke(deviceId, request) {
      const result = await invoker.invoke(deviceId, request);
      if (result.kind !== 'error' || result.code !== 'DeviceNotOnline') return result;
      const restartedAt = await store.gatewayRestartSinceConnected(deviceId);
      const leftMs = restartedAt === undefined ? 0 : Date.parse(restartedAt) + graceMs - clock();
      if (leftMs <= 0) return result;
      return invoker.invoke(deviceId, { ...request, connectTimeoutInSeconds: Math.max(request.connectTimeoutInSeconds, Math.ceil(leftMs / 1000)) });
    },
  };
}
