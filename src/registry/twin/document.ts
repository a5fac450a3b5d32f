import type { Device, Module, Twin, TwinSection } from '../model.js';
import { NEVER } from '../time.js';
import { setOwn, type JsonObject } from '../json.js';
import { twinEtag } from './etag.js';
import type { Tracked } from './merge.js';

// openSection and closeSection copy key by key: V8 runs object rest and spread with these `$` keys
// an order of magnitude slower, and twin jobs open and close a section per device.

/** Splits a stored desired/reported section into user content, metadata and `$version`. */
export function openSection(section: TwinSection): Tracked & { version: number } {
  const data: JsonObject = {};
  for (const key of Object.keys(section)) if (key !== '$metadata' && key !== '$version') setOwn(data, key, section[key]);
  return { data, meta: section.$metadata, version: section.$version };
}

export function closeSection(tracked: Tracked, version: number): TwinSection {
  const section: JsonObject = {};
  for (const key of Object.keys(tracked.data)) setOwn(section, key, tracked.data[key]);
  section.$metadata = tracked.meta ?? {};
  section.$version = version;
  return section as TwinSection;
}

/** The identity-derived part of a twin, in the order IoT Hub serialises a twin. */
function identityFields(device: Device): TwinIdentity {
  return {
    deviceId: device.deviceId,
    deviceEtag: device.etag,
    status: device.status,
    statusReason: device.statusReason,
    statusUpdateTime: device.statusUpdatedTime,
    connectionState: device.connectionState,
    lastActivityTime: device.lastActivityTime,
    cloudToDeviceMessageCount: device.cloudToDeviceMessageCount,
    authenticationType: device.authentication.type,
    x509Thumbprint: { ...device.authentication.x509Thumbprint },
    capabilities: { ...device.capabilities },
    ...scopesOf(device),
  };
}

const scopesOf = (holder: Pick<Twin, 'deviceScope' | 'parentScopes'>) => ({
  ...(holder.deviceScope !== undefined && { deviceScope: holder.deviceScope }),
  ...(holder.parentScopes !== undefined && { parentScopes: [...holder.parentScopes] }),
});

type TwinIdentity = Pick<
  Twin,
  | 'deviceId'
  | 'moduleId'
  | 'deviceEtag'
  | 'status'
  | 'statusReason'
  | 'statusUpdateTime'
  | 'connectionState'
  | 'lastActivityTime'
  | 'cloudToDeviceMessageCount'
  | 'authenticationType'
  | 'x509Thumbprint'
  | 'capabilities'
  | 'deviceScope'
  | 'parentScopes'
>;

/** A module twin's identity part: the module's etag, state and authentication (modules have no status of their own). */
function moduleIdentityFields(module: Module): TwinIdentity {
  return {
    deviceId: module.deviceId,
    moduleId: module.moduleId,
    deviceEtag: module.etag,
    status: 'enabled',
    statusReason: null,
    statusUpdateTime: NEVER,
    connectionState: module.connectionState,
    lastActivityTime: module.lastActivityTime,
    cloudToDeviceMessageCount: module.cloudToDeviceMessageCount,
    authenticationType: module.authentication.type,
    x509Thumbprint: { ...module.authentication.x509Thumbprint },
  };
}

const canonicalSection = (section: TwinSection): TwinSection => {
  const { data, meta, version } = openSection(section);
  return closeSection({ data, meta }, version);
};

/** Builds a twin in canonical field order (PostgreSQL's jsonb does not keep key order). */
export function canonicalTwin(twin: Twin): Twin {
  return {
    deviceId: twin.deviceId,
    ...(twin.moduleId !== undefined && { moduleId: twin.moduleId }),
    etag: twin.etag,
    deviceEtag: twin.deviceEtag,
    status: twin.status,
    statusReason: twin.statusReason,
    statusUpdateTime: twin.statusUpdateTime,
    connectionState: twin.connectionState,
    lastActivityTime: twin.lastActivityTime,
    cloudToDeviceMessageCount: twin.cloudToDeviceMessageCount,
    authenticationType: twin.authenticationType,
    x509Thumbprint: twin.x509Thumbprint,
    modelId: twin.modelId,
    version: twin.version,
    tags: twin.tags,
    properties: { desired: canonicalSection(twin.properties.desired), reported: canonicalSection(twin.properties.reported) },
    ...(twin.capabilities !== undefined && { capabilities: twin.capabilities }),
    ...scopesOf(twin),
  };
}

/** A new device's twin: both `$version`s 1, one service write (etag `AAAAAAAAAAE=`), version 2. */
export const newTwin = (device: Device, now: string): Twin => twinFor(identityFields(device), now);

/** A new module's twin, numbered as a device's. */
export const newModuleTwin = (module: Module, now: string): Twin => twinFor(moduleIdentityFields(module), now);

function twinFor(identity: TwinIdentity, now: string): Twin {
  const emptySection = (): TwinSection => ({ $metadata: { $lastUpdated: now }, $version: 1 });
  return canonicalTwin({
    ...identity,
    etag: twinEtag(1),
    version: 2,
    modelId: '',
    tags: {},
    properties: { desired: emptySection(), reported: emptySection() },
  });
}

/** The twin after an identity change: identity fields copied, twin etag and versions untouched. */
export function withIdentity(twin: Twin, device: Device): Twin {
  const { deviceScope: _scope, parentScopes: _parents, ...rest } = twin; // the identity's scopes replace the old ones
  return canonicalTwin({ ...rest, ...identityFields(device) });
}

/** A module twin after its module identity changed. */
export function withModuleIdentity(twin: Twin, module: Module): Twin {
  return canonicalTwin({ ...twin, ...moduleIdentityFields(module) });
}

/** The replace (PUT) notification for a device: new top-level values plus `null` for removed keys. */
export function replacementPatch(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = { ...after };
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) setOwn(patch, key, null);
  return patch;
}
