/**
 * A connection's identity key: `{deviceId}` for a device, `{deviceId}/{moduleId}` for a module (the
 * MQTT client id IoT Hub gives each). Ids cannot contain '/', so the key is unambiguous. Gateway
 * routing, desired-property changes and identity-change events are keyed by it.
 */
export interface IdentityRef {
  deviceId: string;
  moduleId?: string;
}

export const identityKey = (deviceId: string, moduleId?: string): string => (moduleId === undefined ? deviceId : `${deviceId}/${moduleId}`);

export function parseIdentityKey(key: string): IdentityRef {
  const slash = key.indexOf('/');
  return slash < 0 ? { deviceId: key } : { deviceId: key.slice(0, slash), moduleId: key.slice(slash + 1) };
}
