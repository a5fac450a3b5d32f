import type { Credentials } from './sas.js';

/**
 * The signed-in policy, in sessionStorage only (gone when the tab closes; never localStorage,
 * never a cookie or URL, so it is never sent anywhere).
 */
const KEY = 'iothub-console-credentials';

export function loadCredentials(): Credentials | undefined {
  try {
    const value: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? 'null');
    if (typeof value !== 'object' || value === null) return undefined;
    const { hostName, keyName, key } = value as Record<string, unknown>;
    return typeof hostName === 'string' && typeof keyName === 'string' && typeof key === 'string' ? { hostName, keyName, key } : undefined;
  } catch {
    return undefined;
  }
}

export const saveCredentials = (credentials: Credentials): void => sessionStorage.setItem(KEY, JSON.stringify(credentials));

export const clearCredentials = (): void => sessionStorage.removeItem(KEY);
