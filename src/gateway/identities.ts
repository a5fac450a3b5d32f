import type { Device, Twin } from '../registry/model.js';
import { parseIdentityKey } from '../registry/module/key.js';
import type { HubStore } from '../registry/store.js';

/**
 * The gateway serves devices and modules alike, keyed by their MQTT client id (`{deviceId}` or
 * `{deviceId}/{moduleId}`, see src/registry/module/key.ts); these map a key to the store's calls.
 */
export type IdentityStore = Pick<
  HubStore,
  'getDevice' | 'getModule' | 'getTwin' | 'getModuleTwin' | 'patchReported' | 'patchModuleReported' | 'setConnectionState' | 'setModuleConnectionState'
>;

/** What decides whether a connection is admitted: the device's status and the identity's credentials. */
export interface ConnectionIdentity {
  deviceId: string;
  status: Device['status'];
  authentication: Device['authentication'];
}

/** A device's identity, or a module's credentials under its device's status; undefined if either is gone. */
export async function readIdentity(store: Pick<IdentityStore, 'getDevice' | 'getModule'>, key: string): Promise<ConnectionIdentity | undefined> {
  const { deviceId, moduleId } = parseIdentityKey(key);
  const device = await store.getDevice(deviceId);
  if (!device || moduleId === undefined) return device;
  const module = await store.getModule(deviceId, moduleId);
  return module && { deviceId, status: device.status, authentication: module.authentication };
}

export function readTwin(store: Pick<IdentityStore, 'getTwin' | 'getModuleTwin'>, key: string): Promise<Twin | undefined> {
  const { deviceId, moduleId } = parseIdentityKey(key);
  return moduleId === undefined ? store.getTwin(deviceId) : store.getModuleTwin(deviceId, moduleId);
}

export function patchReported(store: Pick<IdentityStore, 'patchReported' | 'patchModuleReported'>, key: string, patch: Record<string, unknown>) {
  const { deviceId, moduleId } = parseIdentityKey(key);
  return moduleId === undefined ? store.patchReported(deviceId, patch) : store.patchModuleReported(deviceId, moduleId, patch);
}

export function setConnectionState(
  store: Pick<IdentityStore, 'setConnectionState' | 'setModuleConnectionState'>,
  key: string,
  state: Device['connectionState'],
  at: Date,
): Promise<void> {
  const { deviceId, moduleId } = parseIdentityKey(key);
  return moduleId === undefined ? store.setConnectionState(deviceId, state, at) : store.setModuleConnectionState(deviceId, moduleId, state, at);
}
