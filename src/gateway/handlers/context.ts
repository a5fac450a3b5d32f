import type { IdentityStore } from '../identities.js';
import type { MethodDispatcher } from '../methods/dispatcher.js';
import type { GatewayMetrics } from '../metrics.js';

/** What the per-message handlers need from the gateway. */
export interface HandlerContext {
  /** Twins of the connected identity (a device or a module: the client id is its key). */
  store: Pick<IdentityStore, 'getTwin' | 'getModuleTwin' | 'patchReported' | 'patchModuleReported'>;
  dispatcher: MethodDispatcher;
  metrics: GatewayMetrics;
  onError: (err: unknown) => void;
}
