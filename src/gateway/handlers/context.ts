import type { HubStore } from '../../registry/store.js';
import type { MethodDispatcher } from '../methods/dispatcher.js';
import type { GatewayMetrics } from '../metrics.js';

/** What the per-message handlers need from the gateway. */
export interface HandlerContext {
  store: Pick<HubStore, 'getTwin' | 'patchReported'>;
  dispatcher: MethodDispatcher;
  metrics: GatewayMetrics;
  onError: (err: unknown) => void;
}
