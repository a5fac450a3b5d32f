import type { DeviceWaitStore } from './device-waits.js';
import type { RolloutRecordStore } from './rollout-records.js';
import type { JobRecordStore } from './job-records.js';
import type { HubError } from '../errors/hub-error.js';
import type { Configuration, ConfigurationInput } from './configuration/model.js';
import type { Device, DesiredPropertiesPatch, Module, Twin, TwinServiceUpdate } from './model.js';
import type { ConfigurationApplied } from './sql/sql-configurations.js';
import type { WebhookStore } from '../webhooks/store.js';

/**
 * The one persistence interface of the hub. Implementations: SQLite (embedded default) and
 * PostgreSQL (when DATABASE_URL is set); both pass the same test suite. Every method is atomic:
 * it either applies all of its write or throws a HubError and leaves the store unchanged.
 * Validation happens here (device ids, keys, twin keys/values/depth/sizes → ArgumentInvalid), so
 * every caller gets it. Unknown devices → DeviceNotFound. `ifMatch` takes an etag quoted or not,
 * `*` or `"*"` (= unconditional); a mismatch → PreconditionFailed (412), a malformed value → 400.
 * Implementation: src/registry/sql/sql-hub-store.ts (schema in src/registry/sql/migrations.ts).
 *
 * The job-record methods (per-device `devices.jobs` records, finished jobs) are in JobRecordStore,
 * the webhooks' in WebhookStore, those of rollout jobs (attempts, failure types, the retry queue) in
 * RolloutRecordStore.
 *
 * This is a contract shared by the registry/API, the gateway and the jobs code. Extend it
 * (both implementations and the shared suite) rather than reaching around it.
 */
/** What a method job needs to know of the hub's restarts (see activities/reconnect-grace.ts). */
export interface ReconnectGraceStore {
  /**
   * The latest gateway start after the device's connection was last recorded Connected, if it still
   * is: the device was connected when a gateway went down, and has not come back since.
   */
  gatewayRestartSinceConnected(deviceId: string): Promise<string | undefined>;
}

export interface HubStore extends JobRecordStore, WebhookStore, ReconnectGraceStore, RolloutRecordStore {
  /** Method-job records waiting for their device (src/registry/device-waits.ts). */
  readonly deviceWaits: DeviceWaitStore;
  /** Creates or upgrades the schema. Idempotent; run on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // ---- device identities
  /** Throws DeviceAlreadyExists. Keys are generated when absent or empty; only 'sas' authentication. */
  createDevice(input: DeviceCreate): Promise<Device>;
  getDevice(deviceId: string): Promise<Device | undefined>;
  /**
   * Replace with optimistic concurrency against the device etag (`ifMatch` undefined or '*' =
   * unconditional). Absent/empty keys keep the current ones. The twin's identity fields follow;
   * its etag does not move.
   */
  updateDevice(input: DeviceCreate, ifMatch?: string): Promise<Device>;
  /** Deletes the device and its modules in one transaction; returns the ids of the modules it had. */
  deleteDevice(deviceId: string, ifMatch?: string): Promise<{ moduleIds: string[] }>;
  /** In device id order (bytewise), at most `top` (default 1000). */
  listDevices(top?: number): Promise<Device[]>;
  /**
   * IoT Hub's bulk registry operations, in one transaction: each succeeds or fails on its own (its
   * HubError is its result); a device id appearing twice fails the whole call (ArgumentInvalid).
   */
  applyRegistryOperations(operations: readonly RegistryOperation[]): Promise<RegistryOperationResult[]>;
  /** Identities with their twins after device id `after` (bytewise order), at most `limit`: an export page. */
  exportDevices(after: string | undefined, limit: number): Promise<Array<{ device: Device; twin: Twin }>>;

  // ---- module identities (a device's modules go with it)
  /** Throws DeviceNotFound (no such device) or ModuleAlreadyExistsOnDevice. */
  createModule(input: ModuleCreate): Promise<Module>;
  getModule(deviceId: string, moduleId: string): Promise<Module | undefined>;
  /** Replace against the module etag, as updateDevice. Throws ModuleNotFound. */
  updateModule(input: ModuleCreate, ifMatch?: string): Promise<Module>;
  deleteModule(deviceId: string, moduleId: string, ifMatch?: string): Promise<void>;
  /** The device's modules in module id order; throws DeviceNotFound. */
  listModules(deviceId: string): Promise<Module[]>;
  getModuleTwin(deviceId: string, moduleId: string): Promise<Twin | undefined>;
  /** As updateTwin, for a module twin; the change's `deviceId` is `{deviceId}/{moduleId}`. */
  updateModuleTwin(
    deviceId: string,
    moduleId: string,
    update: TwinServiceUpdate,
    options: { mode: 'patch' | 'replace'; ifMatch?: string },
  ): Promise<{ twin: Twin; desiredChange?: DesiredPropertiesPatch }>;
  /** As patchReported, for a module connected to the gateway. */
  patchModuleReported(deviceId: string, moduleId: string, patch: Record<string, unknown>): Promise<number>;
  /** As setConnectionState, for a module. */
  setModuleConnectionState(deviceId: string, moduleId: string, state: Device['connectionState'], at: Date): Promise<void>;

  // ---- automatic device configurations (src/registry/configuration/model.ts)
  /** Throws ConfigurationAlreadyExists, or ArgumentInvalid (a target condition that does not parse, …). */
  createConfiguration(input: ConfigurationInput): Promise<Configuration>;
  getConfiguration(id: string): Promise<Configuration | undefined>;
  listConfigurations(top: number): Promise<Configuration[]>;
  /** Replace against the etag (`*` = force); the content cannot change. Throws ConfigurationNotFound. */
  replaceConfiguration(input: ConfigurationInput, ifMatch: string | undefined): Promise<Configuration>;
  deleteConfiguration(id: string, ifMatch: string | undefined): Promise<void>;
  /** Targets (`{deviceId}` or `{deviceId}/{moduleId}`) of a target condition, in key order after `after`. */
  matchingTargets(targetCondition: string, after: string | undefined, limit: number): Promise<string[]>;
  /** The targets that have the configuration applied at this etag. */
  appliedTargets(id: string, etag: string): Promise<Set<string>>;
  /** Applies the configuration at `etag` to the targets it wins, idempotently, in one transaction. */
  applyConfiguration(id: string, etag: string, targets: readonly string[]): Promise<ConfigurationApplied>;

  // ---- twins (service side)
  getTwin(deviceId: string): Promise<Twin | undefined>;
  /**
   * PATCH (merge, null deletes) or PUT (replace) of tags / desired properties. Returns the new twin
   * and, when desired properties changed, the patch to send to the device.
   */
  updateTwin(
    deviceId: string,
    update: TwinServiceUpdate,
    options: { mode: 'patch' | 'replace'; ifMatch?: string },
  ): Promise<{ twin: Twin; desiredChange?: DesiredPropertiesPatch }>;

  // ---- queries
  /**
   * One page of an IoT Hub query (POST /devices/query) over `devices` or `devices.jobs`, computed
   * in SQL. Throws ArgumentInvalid for a query that does not parse, an unknown function, a text
   * over 8192 characters, or a continuation token of another query.
   */
  query(text: string, page?: QueryPageRequest): Promise<QueryResult>;

  // ---- twins and state (device side, used by the gateway)
  /** Merges a reported patch (null deletes); returns the new reported `$version`. Etag unchanged. */
  patchReported(deviceId: string, patch: Record<string, unknown>): Promise<number>;
  /**
   * Sets connectionState (+ connectionStateUpdatedTime = `at`) on the device and its twin, one
   * statement. A stale write is ignored (several gateway processes write): one whose `at` is older
   * than the stored connectionStateUpdatedTime, or equal to it and 'Disconnected' (a tie goes to
   * Connected, so a writer must not produce a Connected→Disconnected tie itself).
   */
  setConnectionState(deviceId: string, state: Device['connectionState'], at: Date): Promise<void>;
  /** A gateway process starts (before it accepts connections), at hub time `at`. */
  recordGatewayStart(at: string): Promise<void>;
  /**
   * Sets lastActivityTime on each listed device and its twin, all in one transaction (one entry per
   * device); devices that no longer exist are skipped. Returns how many devices were written.
   */
  recordActivity(entries: ReadonlyArray<readonly [deviceId: string, at: Date]>): Promise<number>;
}

export interface DeviceCreate {
  deviceId: string;
  status?: Device['status'];
  statusReason?: string | null;
  authentication?: {
    type?: Device['authentication']['type'];
    symmetricKey?: Partial<Device['authentication']['symmetricKey']>;
    x509Thumbprint?: Partial<Device['authentication']['x509Thumbprint']>;
  };
  capabilities?: Partial<Device['capabilities']>;
  /** A leaf device's parent: the scope of an edge device (an edge device's own scope may only be repeated). */
  deviceScope?: string | null;
  /** A nested edge device's parent: `[scope of the parent edge device]`. */
  parentScopes?: readonly string[] | null;
}

/** IoT Hub's import modes (ExportImportDevice.importMode). */
export const IMPORT_MODES = ['create', 'createOrUpdate', 'createOrUpdateIfMatchETag', 'update', 'updateIfMatchETag', 'delete', 'deleteIfMatchETag'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export interface RegistryOperation {
  importMode: ImportMode;
  device: DeviceCreate;
  /** The etag the IfMatchETag modes compare with the device's. */
  etag?: string;
  /** Twin content written with a created or replaced identity (import). */
  twin?: TwinServiceUpdate;
}

/** The device as written (absent for a delete, which lists the modules deleted with it), or the error. */
export type RegistryOperationResult =
  { deviceId: string; ok: true; device?: Device; created?: boolean; moduleIds?: string[] } | { deviceId: string; ok: false; error: HubError };

export interface ModuleCreate {
  deviceId: string;
  moduleId: string;
  managedBy?: string | null;
  authentication?: DeviceCreate['authentication'];
}

export interface QueryPageRequest {
  /** Items per page (`x-ms-max-item-count`; default 100, at most 1000). */
  pageSize?: number;
  /** `x-ms-continuation` of the previous page. */
  continuation?: string;
}

export interface QueryResult {
  items: unknown[];
  /** `x-ms-item-type`: Twin, DeviceJob or Raw. */
  itemType: string;
  /** Present only when another page follows. */
  continuation?: string;
}
