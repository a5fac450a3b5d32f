import type { DesiredPropertiesPatch } from '../../registry/model.js';
import { KeyedWaiters } from '../keyed-waiters.js';
import type { DeviceEndpoint, DeviceRouter, MethodCall, MethodOutcome } from './device-router.js';

const NOT_HERE = Promise.resolve(undefined);

/** The single-process router: devices attached in this process are the only ones there are. */
export class LocalDeviceRouter implements DeviceRouter {
  private readonly endpoints = new Map<string, DeviceEndpoint>();
  private readonly attached = new KeyedWaiters();

  endpoint(deviceId: string): DeviceEndpoint | undefined {
    return this.endpoints.get(deviceId);
  }

  async attach(deviceId: string, endpoint: DeviceEndpoint): Promise<void> {
    this.endpoints.set(deviceId, endpoint);
    this.attached.notify(deviceId);
  }

  async detach(deviceId: string, endpoint: DeviceEndpoint): Promise<void> {
    if (this.endpoints.get(deviceId) === endpoint) this.endpoints.delete(deviceId);
  }

  // Not async: the endpoint's promise is handed on as it is (no extra promise per call).
  invokeMethod(deviceId: string, call: MethodCall): Promise<MethodOutcome | undefined> {
    return this.endpoints.get(deviceId)?.invokeMethod(call) ?? NOT_HERE;
  }

  async waitForDevice(deviceId: string, timeoutMs: number): Promise<boolean> {
    return this.endpoints.has(deviceId) || this.attached.wait(deviceId, timeoutMs);
  }

  async notifyDesired(change: DesiredPropertiesPatch): Promise<void> {
    this.endpoints.get(change.deviceId)?.notifyDesired(change);
  }

  async notifyIdentityChanged(deviceId: string): Promise<void> {
    this.endpoints.get(deviceId)?.identityChanged();
  }

  async close(): Promise<void> {
    this.attached.cancelAll();
    this.endpoints.clear();
  }
}
