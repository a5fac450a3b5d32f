import { randomInt } from 'node:crypto';
import { HubError } from '../../errors/hub-error.js';
import type { Device } from '../model.js';
import type { DeviceCreate } from '../store.js';
import { NEVER } from '../time.js';
import { validateDeviceId } from './device-id.js';
import { deviceEtag, deviceEtagCounter } from './etag.js';
import { generateSymmetricKey, validateSymmetricKey } from './keys.js';

const STATUS_REASON_MAX = 128;

/** IoT Hub's generation ids are 18-digit decimal strings; a recreated device gets a new one. */
const newGenerationId = (): string => `6${String(randomInt(10 ** 8)).padStart(8, '0')}${String(randomInt(10 ** 9)).padStart(9, '0')}`;

function checkInput(input: DeviceCreate): void {
  validateDeviceId(input.deviceId);
  if (input.status !== undefined && input.status !== 'enabled' && input.status !== 'disabled') {
    throw new HubError('ArgumentInvalid', `status must be 'enabled' or 'disabled', not '${String(input.status)}'`);
  }
  const reason = input.statusReason;
  if (reason !== undefined && reason !== null) {
    if (reason.length > STATUS_REASON_MAX) throw new HubError('ArgumentInvalid', `statusReason is longer than ${STATUS_REASON_MAX} characters`);
    if (reason.includes('\u0000')) throw new HubError('ArgumentInvalid', 'statusReason may not contain the character U+0000');
    if (/\p{Surrogate}/u.test(reason)) throw new HubError('ArgumentInvalid', 'statusReason may not contain an unpaired surrogate');
  }
  const type = input.authentication?.type ?? 'sas';
  if (type !== 'sas') {
    throw new HubError('ArgumentInvalid', `authentication.type '${type}' is not supported by this hub: devices authenticate with 'sas' keys`);
  }
}

/** Given keys are validated; absent or empty ones are taken from `fallback` or generated. */
function symmetricKeys(input: DeviceCreate, fallback?: Device['authentication']['symmetricKey']) {
  const keyOf = (name: 'primaryKey' | 'secondaryKey'): string => {
    const given = input.authentication?.symmetricKey?.[name];
    if (given) {
      validateSymmetricKey(name, given);
      return given;
    }
    return fallback?.[name] || generateSymmetricKey();
  };
  return { primaryKey: keyOf('primaryKey'), secondaryKey: keyOf('secondaryKey') };
}

function identity(input: DeviceCreate, keys: Device['authentication']['symmetricKey']) {
  return {
    statusReason: input.statusReason ?? null,
    authentication: {
      type: 'sas' as const,
      symmetricKey: keys,
      x509Thumbprint: { primaryThumbprint: null, secondaryThumbprint: null },
    },
    capabilities: { iotEdge: input.capabilities?.iotEdge === true },
  };
}

/** A new identity: generated keys when none are given, etag counter 1, never connected, status never changed. */
export function newDevice(input: DeviceCreate): Device {
  checkInput(input);
  const { statusReason, authentication, capabilities } = identity(input, symmetricKeys(input));
  return {
    deviceId: input.deviceId,
    generationId: newGenerationId(),
    etag: deviceEtag(1),
    connectionState: 'Disconnected',
    status: input.status ?? 'enabled',
    statusReason,
    connectionStateUpdatedTime: NEVER,
    statusUpdatedTime: NEVER,
    lastActivityTime: NEVER,
    cloudToDeviceMessageCount: 0,
    authentication,
    capabilities,
  };
}

/**
 * PUT over an existing identity: status, reason, keys and capabilities are replaced (absent or empty
 * keys keep the current ones, so `Registry.update` without keys does not lock the device out);
 * connection state and counters are kept; the etag counter moves on.
 */
export function replacedDevice(current: Device, input: DeviceCreate, now: string): Device {
  checkInput(input);
  const status = input.status ?? 'enabled';
  return {
    ...current,
    ...identity(input, symmetricKeys(input, current.authentication.symmetricKey)),
    etag: deviceEtag(deviceEtagCounter(current.etag) + 1),
    status,
    statusUpdatedTime: status === current.status ? current.statusUpdatedTime : now,
  };
}

/** A device in canonical field order (PostgreSQL's jsonb does not keep key order). */
export function canonicalDevice(device: Device): Device {
  return {
    deviceId: device.deviceId,
    generationId: device.generationId,
    etag: device.etag,
    connectionState: device.connectionState,
    status: device.status,
    statusReason: device.statusReason,
    connectionStateUpdatedTime: device.connectionStateUpdatedTime,
    statusUpdatedTime: device.statusUpdatedTime,
    lastActivityTime: device.lastActivityTime,
    cloudToDeviceMessageCount: device.cloudToDeviceMessageCount,
    authentication: {
      type: device.authentication.type,
      symmetricKey: {
        primaryKey: device.authentication.symmetricKey.primaryKey,
        secondaryKey: device.authentication.symmetricKey.secondaryKey,
      },
      x509Thumbprint: {
        primaryThumbprint: device.authentication.x509Thumbprint.primaryThumbprint,
        secondaryThumbprint: device.authentication.x509Thumbprint.secondaryThumbprint,
      },
    },
    capabilities: { iotEdge: device.capabilities.iotEdge },
  };
}
