import { HubError } from '../../errors/hub-error.js';
import { authenticationOf, checkAuthenticationType, newGenerationId } from '../device/identity.js';
import { deviceEtag, deviceEtagCounter } from '../device/etag.js';
import type { Module } from '../model.js';
import type { ModuleCreate } from '../store.js';
import { NEVER } from '../time.js';
import { validateDeviceId } from '../device/device-id.js';

const MANAGED_BY_MAX = 128;

function checkInput(input: ModuleCreate): void {
  validateDeviceId(input.deviceId);
  validateDeviceId(input.moduleId, 'Module id');
  checkAuthenticationType(input);
  if (input.managedBy !== undefined && input.managedBy !== null && input.managedBy.length > MANAGED_BY_MAX) {
    throw new HubError('ArgumentInvalid', `managedBy is longer than ${MANAGED_BY_MAX} characters`);
  }
}

/** A new module identity: keys generated when none are given (or thumbprints for X.509), etag counter 1. */
export function newModule(input: ModuleCreate): Module {
  checkInput(input);
  return {
    moduleId: input.moduleId,
    managedBy: input.managedBy ?? null,
    deviceId: input.deviceId,
    generationId: newGenerationId(),
    etag: deviceEtag(1),
    connectionState: 'Disconnected',
    connectionStateUpdatedTime: NEVER,
    lastActivityTime: NEVER,
    cloudToDeviceMessageCount: 0,
    authentication: authenticationOf(input),
  };
}

/** PUT over an existing module: authentication and managedBy replaced (absent keys kept), etag moves on. */
export function replacedModule(current: Module, input: ModuleCreate): Module {
  checkInput(input);
  return {
    ...current,
    managedBy: input.managedBy ?? null,
    authentication: authenticationOf(input, current.authentication),
    etag: deviceEtag(deviceEtagCounter(current.etag) + 1),
  };
}

/** A module in canonical field order (PostgreSQL's jsonb does not keep key order). */
export function canonicalModule(module: Module): Module {
  const { authentication } = module;
  return {
    moduleId: module.moduleId,
    managedBy: module.managedBy,
    deviceId: module.deviceId,
    generationId: module.generationId,
    etag: module.etag,
    connectionState: module.connectionState,
    connectionStateUpdatedTime: module.connectionStateUpdatedTime,
    lastActivityTime: module.lastActivityTime,
    cloudToDeviceMessageCount: module.cloudToDeviceMessageCount,
    authentication: {
      type: authentication.type,
      symmetricKey: { primaryKey: authentication.symmetricKey.primaryKey, secondaryKey: authentication.symmetricKey.secondaryKey },
      x509Thumbprint: {
        primaryThumbprint: authentication.x509Thumbprint.primaryThumbprint,
        secondaryThumbprint: authentication.x509Thumbprint.secondaryThumbprint,
      },
    },
  };
}
