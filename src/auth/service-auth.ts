import { HubError } from '../errors/hub-error.js';
import type { Permission, SharedAccessPolicy } from './policies.js';
import { hasValidSignature, parseSasToken, SasTokenError } from './sas-token.js';

/** Who made a service request: the policy whose key signed the token. */
export interface ServicePrincipal {
  policyName: string;
  rights: readonly Permission[];
}

const unauthorized = (reason: string): HubError => new HubError('IotHubUnauthorizedAccess', `Unauthorized: ${reason}`);

/** `decodeURIComponent(sr)` must name the hub, case-insensitively, optionally with a port. */
function namesHub(sr: string, hostName: string): boolean {
  let resource: string;
  try {
    resource = decodeURIComponent(sr).toLowerCase();
  } catch {
    return false;
  }
  const host = hostName.toLowerCase();
  return resource === host || (resource.startsWith(`${host}:`) && /^\d{1,5}$/.test(resource.slice(host.length + 1)));
}

/**
 * Checks a service request's `Authorization` header: a policy SAS token for this hub, signed with the
 * policy's primary or secondary key, not expired. Throws 401 IotHubUnauthorizedAccess with the reason.
 */
export function authenticateService(
  authorization: string | undefined,
  context: { hostName: string; policies: readonly SharedAccessPolicy[]; now?: Date },
): ServicePrincipal {
  if (!authorization) throw unauthorized('the Authorization header with a SharedAccessSignature is missing');
  let token;
  try {
    token = parseSasToken(authorization);
  } catch (err) {
    if (err instanceof SasTokenError) throw unauthorized(`malformed SAS token, ${err.message}`);
    throw err;
  }
  if (!token.skn) throw unauthorized('the SAS token names no shared access policy (skn)');
  const policy = context.policies.find((candidate) => candidate.keyName === token.skn);
  if (!policy) throw unauthorized(`unknown shared access policy '${token.skn}'`);
  if (!namesHub(token.sr, context.hostName)) {
    throw unauthorized(`the SAS token's resource '${token.sr}' is not this hub '${context.hostName}'`);
  }
  if (!hasValidSignature(token, policy.primaryKey) && !hasValidSignature(token, policy.secondaryKey)) {
    throw unauthorized(`the SAS token signature does not match policy '${policy.keyName}'`);
  }
  const now = Math.floor((context.now ?? new Date()).getTime() / 1000);
  if (Number(token.se) <= now) throw unauthorized(`the SAS token expired at ${new Date(Number(token.se) * 1000).toISOString()}`);
  return { policyName: policy.keyName, rights: policy.rights };
}

/**
 * Permission check. RegistryWrite implies RegistryRead ("read and write access to the identity
 * registry"); `anyOf` lists the alternatives a route accepts (Azure docs, "Control access to IoT Hub with shared access signatures": the permissions each service API needs).
 */
export function assertPermission(principal: ServicePrincipal, anyOf: readonly Permission[]): void {
  const granted = new Set<Permission>(principal.rights);
  if (granted.has('RegistryWrite')) granted.add('RegistryRead');
  if (!anyOf.some((permission) => granted.has(permission))) {
    throw unauthorized(`policy '${principal.policyName}' lacks the ${anyOf.join(' or ')} permission this operation needs`);
  }
}
