import type { SharedAccessPolicy } from '../../auth/policies.js';
import { hasValidSignature, parseSasToken, type SasToken } from '../../auth/sas-token.js';
import { thumbprintMatches } from '../../registry/device/thumbprint.js';
import { identityKey } from '../../registry/module/key.js';
import { readIdentity, type ConnectionIdentity, type IdentityStore } from '../identities.js';

export interface DeviceAuthDeps {
  store: Pick<IdentityStore, 'getDevice' | 'getModule'>;
  /** The hub's host name; when set, the token's `sr` host (port ignored) must match it. */
  hubHostName?: string;
  /** Shared access policies; those granting DeviceConnect may sign device tokens (`skn=<policy>`). */
  policies?: readonly SharedAccessPolicy[];
  /** Whether CA certificates for 'certificateAuthority' devices are configured (else none is trusted). */
  trustsDeviceCa?: boolean;
  now?: () => number;
}

/** The certificate a device presented in the TLS handshake. */
export interface ClientCertificate {
  /** The DER encoding, whose SHA-1/SHA-256 hashes are the thumbprints. */
  der: Buffer;
  commonName: string | undefined;
  /** The chain leads to one of the hub's device CA certificates (checked by TLS, expiry included). */
  chainTrusted: boolean;
}

export interface ConnectCredentials {
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
  certificate?: ClientCertificate;
}

/**
 * CONNACK return codes of MQTT 3.1.1 used for refusals: 4 malformed credentials, 5 not authorized.
 * `deviceId` of an accepted connection is its identity key (`{deviceId}` or `{deviceId}/{moduleId}`);
 * `expiresAt` (ms since the epoch) is when its SAS token expires, absent for a certificate.
 */
export type DeviceAuthResult = { ok: true; deviceId: string; admits: Admission; expiresAt?: number } | { ok: false; returnCode: 4 | 5; reason: string };

/**
 * Whether an identity (as registered now; undefined = deleted) still admits an accepted connection:
 * the device is enabled and the key that signed the connection's token is still one of its keys (or
 * of a DeviceConnect policy), or its certificate still fits. (The token's expiry ends the connection
 * on its own: DeviceConnections.)
 */
export type Admission = (identity: ConnectionIdentity | undefined) => boolean;

/**
 * Checks a device's CONNECT: username `{host}/{deviceId}/?api-version=…` (any extra query
 * parameters), clientId equal to the device id, and either a password, a SAS token for
 * `{host}/devices/{id}` signed with the device's primary or secondary key or with a DeviceConnect
 * policy key (`skn`), not expired; or no password and a TLS client certificate the X.509 identity
 * accepts (X509Refusal). The device must exist and be enabled. An accepted connection gets its
 * Admission, to check against later changes of the identity.
 */
export async function authenticateDevice(creds: ConnectCredentials, deps: DeviceAuthDeps): Promise<DeviceAuthResult> {
  const names = parseUsername(creds.username);
  if (!names) return refuse(4, 'username is not {host}/{deviceId}[/{moduleId}]/?api-version=…');
  const key = identityKey(names.deviceId, names.moduleId);
  if (creds.clientId !== key) return refuse(5, 'clientId does not match the device (and module) id of the username');

  if (!creds.password && creds.certificate) {
    const certificate = creds.certificate;
    const reason = x509Refusal(certificate, await readIdentity(deps.store, key));
    if (reason) return refuse(5, reason);
    return { ok: true, deviceId: key, admits: (identity) => x509Refusal(certificate, identity) === undefined };
  }

  const token = creds.password ? tryParse(creds.password.toString('utf8')) : undefined;
  if (!token) return refuse(4, 'password is not a SharedAccessSignature token');
  const expiresAt = Number(token.se) * 1000;
  if (expiresAt <= (deps.now ?? Date.now)()) return refuse(5, 'token expired');
  if (!resourceMatches(token.sr, resourcePath(names), deps.hubHostName)) return refuse(5, 'token resource is not this device');

  const reason = identityRefusal(token, await readIdentity(deps.store, key), deps.policies);
  if (reason) return refuse(5, reason);
  return { ok: true, deviceId: key, admits: (identity) => identityRefusal(token, identity, deps.policies) === undefined, expiresAt };
}

/** Why the identity refuses the token, or undefined when it accepts it. */
function identityRefusal(token: SasToken, device: ConnectionIdentity | undefined, policies: readonly SharedAccessPolicy[] | undefined): string | undefined {
  if (!device) return 'unknown device';
  if (device.status !== 'enabled') return 'device disabled';
  if (!signingKeys(token, device, policies).some((key) => hasValidSignature(token, key))) return 'bad signature';
  return undefined;
}

/**
 * Why an X.509 identity refuses the certificate, or undefined when it accepts it: a 'selfSigned'
 * device's certificate must have one of its thumbprints; a 'certificateAuthority' device's must chain
 * to a CA the hub trusts and carry the device id as its subject CN (as IoT Hub checks them).
 */
function x509Refusal(certificate: ClientCertificate, device: ConnectionIdentity | undefined): string | undefined {
  if (!device) return 'unknown device';
  if (device.status !== 'enabled') return 'device disabled';
  const { type, x509Thumbprint } = device.authentication;
  if (type === 'selfSigned') return thumbprintMatches(certificate.der, x509Thumbprint) ? undefined : 'certificate thumbprint does not match';
  if (type === 'certificateAuthority') {
    if (!certificate.chainTrusted) return 'certificate is not issued by a CA the hub trusts';
    return certificate.commonName === device.deviceId ? undefined : 'certificate CN is not the device id';
  }
  return 'device authenticates with SAS tokens, not certificates';
}

function refuse(returnCode: 4 | 5, reason: string): DeviceAuthResult {
  return { ok: false, returnCode, reason };
}

function tryParse(text: string): SasToken | undefined {
  try {
    return parseSasToken(text);
  } catch {
    return undefined;
  }
}

function parseUsername(username: string | undefined): { deviceId: string; moduleId?: string } | undefined {
  if (!username) return undefined;
  const queryAt = username.indexOf('?');
  const path = queryAt < 0 ? username : username.slice(0, queryAt);
  if (!path.endsWith('/')) return undefined;
  const segments = path.slice(0, -1).split('/');
  if (segments.some((s) => s.length === 0)) return undefined;
  if (segments.length === 2) return { deviceId: segments[1]! };
  if (segments.length === 3) return { deviceId: segments[1]!, moduleId: segments[2]! };
  return undefined;
}

const resourcePath = (names: { deviceId: string; moduleId?: string }): string =>
  names.moduleId === undefined ? `/devices/${names.deviceId}` : `/devices/${names.deviceId}/modules/${names.moduleId}`;

/** `decodeURIComponent(sr)` must be `<host>[:port]` + `path` (`/devices/<id>[/modules/<id>]`), case-insensitively. */
function resourceMatches(sr: string, path: string, hubHostName: string | undefined): boolean {
  let resource: string;
  try {
    resource = decodeURIComponent(sr).toLowerCase();
  } catch {
    return false;
  }
  const suffix = path.toLowerCase();
  if (!resource.endsWith(suffix)) return false;
  const host = resource.slice(0, -suffix.length);
  if (!host || host.includes('/')) return false;
  return hubHostName === undefined || withoutPort(host) === withoutPort(hubHostName.toLowerCase());
}

const withoutPort = (host: string): string => host.replace(/:\d{1,5}$/, '');

function signingKeys(token: SasToken, device: ConnectionIdentity, policies: readonly SharedAccessPolicy[] = []): string[] {
  if (token.skn === undefined) {
    const { type, symmetricKey } = device.authentication;
    return type === 'sas' ? [symmetricKey.primaryKey, symmetricKey.secondaryKey].filter((key) => key !== null) : [];
  }
  const policy = policies.find((candidate) => candidate.keyName === token.skn && candidate.rights.includes('DeviceConnect'));
  return policy ? [policy.primaryKey, policy.secondaryKey] : [];
}
