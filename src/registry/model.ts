/**
 * The JSON shapes the hub exchanges with the official SDKs (field names as the real IoT Hub sends
 * them), per IoT Hub's REST API reference for devices, modules and twins.
 */

export type DeviceStatus = 'enabled' | 'disabled';
export type ConnectionState = 'Connected' | 'Disconnected';
export type AuthenticationType = 'sas' | 'selfSigned' | 'certificateAuthority' | 'none';

/** Keys of a 'sas' identity; both null for X.509 identities, as IoT Hub returns them. */
export interface SymmetricKey {
  primaryKey: string | null;
  secondaryKey: string | null;
}

/** SHA-1 or SHA-256 hex thumbprints of a 'selfSigned' identity's certificates; null otherwise. */
export interface X509Thumbprint {
  primaryThumbprint: string | null;
  secondaryThumbprint: string | null;
}

export interface Device {
  deviceId: string;
  generationId: string;
  etag: string;
  connectionState: ConnectionState;
  status: DeviceStatus;
  statusReason: string | null;
  connectionStateUpdatedTime: string;
  statusUpdatedTime: string;
  lastActivityTime: string;
  cloudToDeviceMessageCount: number;
  authentication: {
    type: AuthenticationType;
    symmetricKey: SymmetricKey;
    x509Thumbprint: X509Thumbprint;
  };
  capabilities: { iotEdge: boolean };
  /**
   * Edge scopes: an edge device's own scope (`ms-azure-iot-edge://{id}-{n}`, generated, immutable), or a
   * leaf device's parent's scope; `parentScopes` the parent edge device's scope. Absent when none.
   */
  deviceScope?: string;
  parentScopes?: string[];
}

/** A module identity (`GET /devices/{id}/modules/{moduleId}`), in IoT Hub's field order. */
export interface Module {
  moduleId: string;
  managedBy: string | null;
  deviceId: string;
  generationId: string;
  etag: string;
  connectionState: ConnectionState;
  connectionStateUpdatedTime: string;
  lastActivityTime: string;
  cloudToDeviceMessageCount: number;
  authentication: Device['authentication'];
}

/** A desired or reported section: user keys plus `$metadata` and `$version`. */
export type TwinSection = Record<string, unknown> & {
  $metadata: Record<string, unknown>;
  $version: number;
};

/** A device twin, or a module twin (with `moduleId`, without `capabilities`). */
export interface Twin {
  deviceId: string;
  moduleId?: string;
  etag: string;
  deviceEtag: string;
  version: number;
  status: DeviceStatus;
  statusReason: string | null;
  statusUpdateTime: string;
  connectionState: ConnectionState;
  lastActivityTime: string;
  cloudToDeviceMessageCount: number;
  authenticationType: AuthenticationType;
  x509Thumbprint: X509Thumbprint;
  modelId: string;
  capabilities?: { iotEdge: boolean };
  deviceScope?: string;
  parentScopes?: string[];
  tags: Record<string, unknown>;
  properties: { desired: TwinSection; reported: TwinSection };
}

/**
 * The part of a twin the service may write: tags and desired properties. `null` for a section
 * removes all of its keys (as IoT Hub does for `properties.desired: null` or `tags: null`).
 */
export interface TwinServiceUpdate {
  tags?: Record<string, unknown> | null;
  desired?: Record<string, unknown> | null;
}

/**
 * What a desired-property change sends to a connected device or module: the patch plus its
 * `$version`. `deviceId` is the connection's identity: `{deviceId}` or `{deviceId}/{moduleId}`.
 */
export interface DesiredPropertiesPatch {
  deviceId: string;
  patch: Record<string, unknown>;
  version: number;
}
