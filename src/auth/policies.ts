import { generateSymmetricKey } from '../registry/device/keys.js';

export const PERMISSIONS = ['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** A shared access policy as kept in hub.json (the field names of IoT Hub's portal/ARM model). */
export interface SharedAccessPolicy {
  keyName: string;
  rights: Permission[];
  primaryKey: string;
  secondaryKey: string;
}

/** The policies every new IoT hub has (Azure docs, "Control access to IoT Hub with shared access signatures"). */
export const BUILT_IN_POLICIES: ReadonlyArray<Pick<SharedAccessPolicy, 'keyName' | 'rights'>> = [
  { keyName: 'iothubowner', rights: ['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect'] },
  { keyName: 'service', rights: ['ServiceConnect'] },
  { keyName: 'device', rights: ['DeviceConnect'] },
  { keyName: 'registryRead', rights: ['RegistryRead'] },
  { keyName: 'registryReadWrite', rights: ['RegistryRead', 'RegistryWrite'] },
];

/** Built-in policies with fresh keys, for a hub's first start. */
export const generateBuiltInPolicies = (): SharedAccessPolicy[] =>
  BUILT_IN_POLICIES.map((policy) => ({
    keyName: policy.keyName,
    rights: [...policy.rights],
    primaryKey: generateSymmetricKey(),
    secondaryKey: generateSymmetricKey(),
  }));

/** Policies missing from `existing` (a hub.json from an older version) are added with fresh keys. */
export function withBuiltInPolicies(existing: readonly SharedAccessPolicy[]): SharedAccessPolicy[] {
  const names = new Set(existing.map((policy) => policy.keyName));
  return [...existing, ...generateBuiltInPolicies().filter((policy) => !names.has(policy.keyName))];
}

/** Service connection string of the form the SDKs' fromConnectionString take. */
export const serviceConnectionString = (hostName: string, policy: SharedAccessPolicy): string =>
  `HostName=${hostName};SharedAccessKeyName=${policy.keyName};SharedAccessKey=${policy.primaryKey}`;
