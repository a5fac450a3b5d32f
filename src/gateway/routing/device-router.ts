import type { DesiredPropertiesPatch } from '../../registry/model.js';

/**
 * A direct-method call on its way to the gateway holding the device. Durations, not instants, so
 * processes need not share a clock.
 */
export interface MethodCall {
  methodName: string;
  payload: unknown;
  /** How long the gateway may wait for a connected device to subscribe to methods. */
  subscribeWaitMs: number;
  /** What is left of the connect timeout; waiting beyond it is taken out of the response timeout. */
  connectRemainingMs: number;
  responseTimeoutMs: number;
}

export type MethodOutcome =
  { kind: 'response'; status: number; payload: unknown } | { kind: 'error'; code: 'DeviceNotOnline' | 'GatewayTimeout'; message: string };

/** What a gateway process offers for one device connected to it. */
export interface DeviceEndpoint {
  invokeMethod(call: MethodCall): Promise<MethodOutcome>;
  notifyDesired(change: DesiredPropertiesPatch): void;
  /** Another gateway process accepted a newer connection of this device (at `connectedAt`, ms epoch). */
  replacedElsewhere(connectedAt: number): void;
  /** The device's identity changed: re-read it and drop the connections it no longer admits. */
  identityChanged(): void;
}

/**
 * Finds the gateway process a device is connected to. In-process (embedded hub) or through Redis
 * (several processes); callers cannot tell the difference.
 */
export interface DeviceRouter {
  /** This process now holds the device's connection (accepted at `connectedAt`, ms epoch). */
  attach(deviceId: string, endpoint: DeviceEndpoint, connectedAt: number): Promise<void>;
  /** This process no longer holds the device (no-op if `endpoint` is not the attached one). */
  detach(deviceId: string, endpoint: DeviceEndpoint): Promise<void>;
  /** Runs the call on the gateway holding the device; undefined when no gateway holds it. */
  invokeMethod(deviceId: string, call: MethodCall): Promise<MethodOutcome | undefined>;
  /** True as soon as some gateway holds the device, false after `timeoutMs`. */
  waitForDevice(deviceId: string, timeoutMs: number): Promise<boolean>;
  /** Delivers a desired-properties change to the device if it is connected anywhere. */
  notifyDesired(change: DesiredPropertiesPatch): Promise<void>;
  /**
   * Tells every gateway process holding the device that its identity changed (HubEvents.onDeviceChange).
   * Only the id travels: each holder reads the identity from the store, so no keys cross processes
   * and a late message cannot act on an outdated identity.
   */
  notifyIdentityChanged(deviceId: string): Promise<void>;
  close(): Promise<void>;
}
