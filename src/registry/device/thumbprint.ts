import { createHash } from 'node:crypto';
import { HubError } from '../../errors/hub-error.js';
import type { X509Thumbprint } from '../model.js';
import type { DeviceCreate } from '../store.js';

// IoT Hub takes SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprints of the DER certificate.
const THUMBPRINT = /^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$/;

/** A 'selfSigned' identity's thumbprints: the primary required, the secondary optional; kept as given. */
export function thumbprints(input: Pick<DeviceCreate, 'authentication'>): X509Thumbprint {
  const given = input.authentication?.x509Thumbprint;
  const check = (name: keyof X509Thumbprint, required: boolean): string | null => {
    const value = given?.[name] || null;
    if (value === null) {
      if (required) throw new HubError('ArgumentInvalid', `authentication.x509Thumbprint.${name} is required for authentication type 'selfSigned'`);
      return null;
    }
    if (!THUMBPRINT.test(value)) {
      throw new HubError('ArgumentInvalid', `authentication.x509Thumbprint.${name} must be a SHA-1 (40) or SHA-256 (64) hex thumbprint`);
    }
    return value;
  };
  return { primaryThumbprint: check('primaryThumbprint', true), secondaryThumbprint: check('secondaryThumbprint', false) };
}

/** Whether a DER certificate's SHA-1 or SHA-256 thumbprint is one of the identity's (case-insensitive). */
export function thumbprintMatches(der: Buffer, registered: X509Thumbprint): boolean {
  const sha1 = createHash('sha1').update(der).digest('hex');
  const sha256 = createHash('sha256').update(der).digest('hex');
  return [registered.primaryThumbprint, registered.secondaryThumbprint].some((value) => {
    const lower = value?.toLowerCase();
    return lower === sha1 || lower === sha256;
  });
}
