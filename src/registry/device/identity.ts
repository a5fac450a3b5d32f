import { randomInt } from 'node:crypto';
import { HubError } from '../../errors/hub-error.js';
import type { Device, SymmetricKey, X509Thumbprint } from '../model.js';
import type { DeviceCreate } from '../store.js';
import { NEVER } from '../time.js';
import { validateDeviceId } from './device-id.js';
import { deviceEtag, deviceEtagCounter } from './etag.js';
import { generateSymmetricKey, validateSymmetricKey } from './keys.js';
import { scopeFields } from './scopes.js';
import { thumbprints } from './thumbprint.js';

const STATUS_REASON_MAX = 128;

/** IoT Hub's generation ids are 18-digit decimal strings; a recreated device gets a new one. */
export const newGenerationId = (): string => `6${String(randomInt(10 ** 8)).padStart(8, '0')}${String(randomInt(10 ** 9)).padStart(9, '0')}`;

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
  checkAuthenticationType(input);
}

export function checkAuthenticationType(input: Pick<DeviceCreate, 'authentication'>): void {
  if (input.authentication?.type === 'none') {
    throw new HubError('ArgumentInvalid', "authentication.type 'none' is not supported: use 'sas', 'selfSigned' or 'certificateAuthority'");
  }
}

/** Given keys are validated; absent or empty ones are taken from `fallback` or generated. */
function symmetricKeys(input: Pick<DeviceCreate, 'authentication'>, fallback?: SymmetricKey): SymmetricKey {
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

const NO_KEYS: SymmetricKey = { primaryKey: null, secondaryKey: null };
const NO_THUMBPRINTS: X509Thumbprint = { primaryThumbprint: null, secondaryThumbprint: null };

/**
 * The authentication section: keys for 'sas' (given, kept from `current` or generated), thumbprints
 * for 'selfSigned' (the primary required), neither for 'certificateAuthority' (the device's
 * certificate must chain to a CA the hub trusts and name the device in its CN).
 */
export function authenticationOf(input: Pick<DeviceCreate, 'authentication'>, current?: Device['authentication']): Device['authentication'] {
  const type = input.authentication?.type ?? 'sas';
  if (type === 'sas') {
    return { type, symmetricKey: symmetricKeys(input, current?.symmetricKey ?? undefined), x509Thumbprint: { ...NO_THUMBPRINTS } };
  }
  if (type === 'selfSigned') return { type, symmetricKey: { ...NO_KEYS }, x509Thumbprint: thumbprints(input) };
  return { type: 'certificateAuthority', symmetricKey: { ...NO_KEYS }, x509Thumbprint: { ...NO_THUMBPRINTS } };
}

function identity(input: DeviceCreate, current?: Device['authentication']) {
  return {
    statusReason: input.statusReason ?? null,
    authentication: authenticationOf(input, current),
    capabilities: { iotEdge: input.capabilities?.iotEdge === true },
  };
}

/** A new identity: generated keys when none are given, etag counter 1, never connected, status never changed. */
export function newDevice(input: DeviceCreate): Device {
  checkInput(input);
  const { statusReason, authentication, capabilities } = identity(input);
  return withScopes(
    {
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
    },
    input,
    undefined,
  );
}

/** The device with its scope fields (scopes.ts) in place of any it had. */
function withScopes(device: Device, input: DeviceCreate, current: Device | undefined): Device {
  const { deviceScope: _scope, parentScopes: _parents, ...rest } = device;
  return { ...rest, ...scopeFields(input, current) };
}

/**
 * PUT over an existing identity: status, reason, authentication and capabilities are replaced (absent
 * or empty keys of a 'sas' device keep the current ones, so `Registry.update` without keys does not
 * lock the device out);
 * connection state and counters are kept; the etag counter moves on.
 */
export function replacedDevice(current: Device, input: DeviceCreate, now: string): Device {
  checkInput(input);
  const status = input.status ?? 'enabled';
  return withScopes(
    {
      ...current,
      ...identity(input, current.authentication),
      etag: deviceEtag(deviceEtagCounter(current.etag) + 1),
      status,
      statusUpdatedTime: status === current.status ? current.statusUpdatedTime : now,
    },
    input,
    current,
  );
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
    ...(device.deviceScope !== undefined && { deviceScope: device.deviceScope }),
    ...(device.parentScopes !== undefined && { parentScopes: [...device.parentScopes] }),
  };
}
