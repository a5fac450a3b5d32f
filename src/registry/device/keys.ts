import { randomBytes } from 'node:crypto';
import { HubError } from '../../errors/hub-error.js';
import type { Device } from '../model.js';

/** A new symmetric key as IoT Hub generates them: 32 random bytes, base64. */
export const generateSymmetricKey = (): string => randomBytes(32).toString('base64');

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** IoT Hub accepts base64 keys of 16 to 64 bytes. */
export function validateSymmetricKey(name: 'primaryKey' | 'secondaryKey', key: string): void {
  const bytes = BASE64.test(key) ? Buffer.from(key, 'base64').length : -1;
  if (bytes < 16 || bytes > 64) {
    throw new HubError('ArgumentInvalid', `authentication.symmetricKey.${name} must be base64 encoding 16 to 64 bytes`);
  }
}

/** The keys of a 'sas' identity (an X.509 identity has none: a usage error of the caller). */
export function sasKeysOf(device: Pick<Device, 'deviceId' | 'authentication'>): { primaryKey: string; secondaryKey: string } {
  const { primaryKey, secondaryKey } = device.authentication.symmetricKey;
  if (primaryKey === null || secondaryKey === null) throw new Error(`Device '${device.deviceId}' has no symmetric keys (${device.authentication.type})`);
  return { primaryKey, secondaryKey };
}
