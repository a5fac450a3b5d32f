import type { Device, Twin, TwinSection } from '../model.js';
import { setOwn, type JsonObject } from '../json.js';
import { twinEtag } from './etag.js';
import type { Tracked } from './merge.js';

/** Splits a stored desired/reported section into user content, metadata and `$version`. */
export function openSection(section: TwinSection): Tracked & { version: number } {
  const { $metadata, $version, ...data } = section;
  return { data, meta: $metadata, version: $version };
}

export function closeSection(tracked: Tracked, version: number): TwinSection {
  return { ...tracked.data, $metadata: tracked.meta ?? {}, $version: version } as TwinSection;
}

/** The identity-derived part of a twin, in the order IoT Hub serialises a twin. */
function identityFields(device: Device) {
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
    capabilities: twin.capabilities,
  };
}

/** A new device's twin: both `$version`s 1, one service write (etag `AAAAAAAAAAE=`), version 2. */
export function newTwin(device: Device, now: string): Twin {
  const emptySection = (): TwinSection => ({ $metadata: { $lastUpdated: now }, $version: 1 });
  return canonicalTwin({
    ...identityFields(device),
    etag: twinEtag(1),
    version: 2,
    modelId: '',
    tags: {},
    properties: { desired: emptySection(), reported: emptySection() },
  });
}

/** The twin after an identity change: identity fields copied, twin etag and versions untouched. */
export function withIdentity(twin: Twin, device: Device): Twin {
  return canonicalTwin({ ...twin, ...identityFields(device) });
}

/** The replace (PUT) notification for a device: new top-level values plus `null` for removed keys. */
export function replacementPatch(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = { ...after };
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) setOwn(patch, key, null);
  return patch;
}
