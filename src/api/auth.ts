import type { RequestHandler, Response } from 'express';
import type { Permission, SharedAccessPolicy } from '../auth/policies.js';
import { assertPermission, authenticateService, type ServicePrincipal } from '../auth/service-auth.js';

const PRINCIPAL = 'principal';

/** Authenticates every request (401 for a missing, malformed, expired or wrongly signed token). */
export function authenticate(context: { hostName: string; policies: readonly SharedAccessPolicy[] }): RequestHandler {
  return (req, res, next) => {
    res.locals[PRINCIPAL] = authenticateService(req.get('authorization'), context);
    next();
  };
}

export function principalOf(res: Response): ServicePrincipal {
  const principal = res.locals[PRINCIPAL] as ServicePrincipal | undefined;
  if (!principal) throw new Error('requirePermission used on a router mounted outside createApiApp');
  return principal;
}

/**
 * Route guard: the caller's policy must grant one of `anyOf` (401 IotHubUnauthorizedAccess otherwise).
 * Every route declares one, e.g. `router.post('/twins/:id/methods', requirePermission('ServiceConnect'), …)`.
 */
export const requirePermission =
  (...anyOf: Permission[]): RequestHandler =>
  (_req, res, next) => {
    assertPermission(principalOf(res), anyOf);
    next();
  };
