import { HubError } from '../../errors/hub-error.js';
import { compileQuery, parseQuery } from '../../query/index.js';
import { canonicalDevice, newDevice, replacedDevice } from '../device/identity.js';
import { assertParentScope } from '../device/scopes.js';
import { assertEtagMatches } from '../if-match.js';
import { decodeJsonColumn } from '../json.js';
import type { DeviceJobError, DeviceJobOutcome, JobSnapshotRequest, SeqRange } from '../job-records.js';
import type { DeviceWaitStore } from '../device-waits.js';
import type { Device, DesiredPropertiesPatch, Twin, TwinServiceUpdate } from '../model.js';
import type { DeviceCreate, HubStore, ModuleCreate, QueryPageRequest, QueryResult, RegistryOperation } from '../store.js';
import { formatHubTime, hubNow } from '../time.js';
import { canonicalTwin, newTwin, withIdentity } from '../twin/document.js';
import { applyReportedPatch } from '../twin/reported-update.js';
import { applyServiceUpdate, type TwinWriteMode } from '../twin/service-update.js';
import type { SqlDialect, SqlDriver, SqlSession } from './driver.js';
import { runMigrations } from './migrate.js';
import { QUERY_SOURCES } from './query-sources.js';
import { SqlDeviceWaits } from './sql-device-waits.js';
import { SqlJobRecords } from './sql-job-records.js';
import { SqlRolloutRecords } from './sql-rollout-records.js';
import type { RolloutClaim, RolloutOutcome } from '../rollout-records.js';
import type { ConfigurationInput } from '../configuration/model.js';
import { SqlConfigurations } from './sql-configurations.js';
import { SqlModules } from './sql-modules.js';
import { SqlRegistryBulk } from './sql-registry-bulk.js';
import { SqlWebhooks } from './sql-webhooks.js';
import type { WebhookDeliveryRecord, WebhookInput } from '../../webhooks/model.js';

interface DeviceRow {
  rowVersion: number;
  device: Device;
  twin: Twin;
}

/** What a read-modify-write produces: the documents to store (unchanged ones omitted) and the result. */
interface RowChange<T> {
  device?: Device;
  twin?: Twin;
  result: T;
}

/** Concurrent writers to one device retry their compare-and-set; this many losses in a row is an outage. */
const MAX_WRITE_ATTEMPTS = 100;
const DEFAULT_LIST_SIZE = 1000;

const deviceNotFound = (deviceId: string): HubError => new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);

/** `column` with top-level string fields set, in one expression (no read-modify-write needed). */
function setStringFields(dialect: SqlDialect, column: string, fields: Record<string, string>): string {
  const entries = Object.entries(fields);
  return dialect === 'sqlite'
    ? `json_set(${column}, ${entries.map(([key, param]) => `'$.${key}', ${param}`).join(', ')})`
    : `${column} || jsonb_build_object(${entries.map(([key, param]) => `'${key}', ${param}::text`).join(', ')})`;
}

/**
 * Whether a connection-state write (state $2 at time $3) is newer than the stored state. Gateway
 * processes write independently, so writes can arrive out of order; an older one must not win.
 * On a tie Connected wins: one gateway never writes two states of a device in the same
 * millisecond (src/gateway/session/connections.ts), so a tie is two processes — the device left
 * one as it arrived at the other, where it is connected now. Hub times are fixed-width UTC
 * (formatHubTime; NEVER differs from every real time in its first digit), so bytewise ("C")
 * string order is time order in both stores, whatever the database's default collation.
 */
function isNewerConnectionState(dialect: SqlDialect): string {
  const stored = dialect === 'sqlite' ? `json_extract(device, '$.connectionStateUpdatedTime')` : `(device->>'connectionStateUpdatedTime') COLLATE "C"`;
  return `(${stored} < $3 OR (${stored} = $3 AND $2 = 'Connected'))`;
}

/** A text field of the device document `d.device`, compared bytewise (hub times, see above). */
function connectionField(dialect: SqlDialect, field: string): string {
  return dialect === 'sqlite' ? `json_extract(d.device, '$.${field}')` : `(d.device->>'${field}') COLLATE "C"`;
}

function statements(dialect: SqlDialect) {
  return {
    insert: `INSERT INTO devices (device_id, row_version, device, twin) VALUES ($1, 1, $2, $3) ON CONFLICT (device_id) DO NOTHING`,
    selectRow: `SELECT row_version, device, twin FROM devices WHERE device_id = $1`,
    selectDevice: `SELECT device FROM devices WHERE device_id = $1`,
    selectTwin: `SELECT twin FROM devices WHERE device_id = $1`,
    listDevices: `SELECT device FROM devices ORDER BY device_id LIMIT $1`,
    exportPage: `SELECT device, twin FROM devices WHERE device_id > $1 ORDER BY device_id LIMIT $2`,
    deleteApplied: `DELETE FROM applied_configurations WHERE target = $1 OR (target >= $2 AND target < $3)`,
    // Compare-and-set on row_version: a concurrent write makes this change 0 rows and the caller retries.
    updateRow: `UPDATE devices SET row_version = row_version + 1, device = COALESCE($3, device), twin = COALESCE($4, twin)
                WHERE device_id = $1 AND row_version = $2`,
    deleteRow: `DELETE FROM devices WHERE device_id = $1 AND row_version = $2`,
    setConnectionState: `UPDATE devices SET row_version = row_version + 1,
        device = ${setStringFields(dialect, 'device', { connectionState: '$2', connectionStateUpdatedTime: '$3' })},
        twin = ${setStringFields(dialect, 'twin', { connectionState: '$2' })}
      WHERE device_id = $1 AND ${isNewerConnectionState(dialect)}`,
    // $1: a JSON array of [deviceId, time] pairs (SQLite), or the ids and the times as two arrays.
    recordActivity:
      dialect === 'sqlite'
        ? `UPDATE devices SET row_version = row_version + 1,
             device = ${setStringFields(dialect, 'device', { lastActivityTime: `entry.value ->> '$[1]'` })},
             twin = ${setStringFields(dialect, 'twin', { lastActivityTime: `entry.value ->> '$[1]'` })}
           FROM json_each($1) AS entry WHERE devices.device_id = entry.value ->> '$[0]'`
        : `UPDATE devices SET row_version = devices.row_version + 1,
             device = ${setStringFields(dialect, 'devices.device', { lastActivityTime: 'entry.at' })},
             twin = ${setStringFields(dialect, 'devices.twin', { lastActivityTime: 'entry.at' })}
           FROM unnest($1::text[], $2::text[]) AS entry(device_id, at) WHERE devices.device_id = entry.device_id`,
    recordGatewayStart: `INSERT INTO gateway_starts (started_at) VALUES ($1)`,
    gatewayRestartSinceConnected: `SELECT max(g.started_at) AS started FROM devices AS d
      JOIN gateway_starts AS g ON g.started_at > ${connectionField(dialect, 'connectionStateUpdatedTime')}
      WHERE d.device_id = $1 AND ${connectionField(dialect, 'connectionState')} = 'Connected'`,
    // Row locks in device id order, as twin-job batches take them: concurrent writers cannot deadlock.
    lockDevicesPg: `SELECT device_id FROM devices WHERE device_id = ANY($1::text[]) ORDER BY device_id FOR UPDATE`,
  };
}

/**
 * HubStore over SQLite or PostgreSQL (same SQL, see SqlDriver). Each device is one row holding its
 * identity document and its twin document, so every write is a single statement and the twin column
 * is always exactly what GET /twins returns (the query engine reads it directly).
 */
export class SqlHubStore implements HubStore {
  private readonly sql: ReturnType<typeof statements>;
  private readonly jobRecords: SqlJobRecords;
  /** The device waits of method jobs (src/registry/sql/sql-device-waits.ts). */
  readonly deviceWaits: DeviceWaitStore;
  private readonly rolloutRecords: SqlRolloutRecords;
  private readonly modules: SqlModules;
  private readonly bulk: SqlRegistryBulk;
  private readonly configurations: SqlConfigurations;
  private readonly webhooks: SqlWebhooks;

  constructor(
    readonly db: SqlDriver,
    private readonly now: () => string = hubNow,
  ) {
    this.sql = statements(db.dialect);
    this.jobRecords = new SqlJobRecords(db);
    this.deviceWaits = new SqlDeviceWaits(db);
    this.rolloutRecords = new SqlRolloutRecords(db);
    this.modules = new SqlModules(db, now);
    this.bulk = new SqlRegistryBulk(db, now);
    this.configurations = new SqlConfigurations(db, now);
    this.webhooks = new SqlWebhooks(db, now);
  }

  async migrate(): Promise<void> {
    await runMigrations(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async createDevice(input: DeviceCreate): Promise<Device> {
    const device = newDevice(input);
    await this.assertParent(device);
    const twin = newTwin(device, this.now());
    const inserted = await this.db.execute(this.sql.insert, [device.deviceId, JSON.stringify(device), JSON.stringify(twin)]);
    if (inserted === 0) throw new HubError('DeviceAlreadyExists', `A device with id '${device.deviceId}' already exists`);
    return device;
  }

  async getDevice(deviceId: string): Promise<Device | undefined> {
    const [row] = await this.db.query<{ device: unknown }>(this.sql.selectDevice, [deviceId]);
    return row && canonicalDevice(decodeJsonColumn(row.device));
  }

  async updateDevice(input: DeviceCreate, ifMatch?: string): Promise<Device> {
    const current = await this.getDevice(input.deviceId);
    if (!current) throw deviceNotFound(input.deviceId);
    await this.assertParent(replacedDevice(current, input, this.now()));
    return this.mutate(input.deviceId, ({ device, twin }) => {
      assertEtagMatches(ifMatch, device.etag, 'Device');
      const next = replacedDevice(device, input, this.now());
      return { device: next, twin: withIdentity(twin, next), result: next };
    });
  }

  async deleteDevice(deviceId: string, ifMatch?: string): Promise<{ moduleIds: string[] }> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.readRow(deviceId);
      if (!row) throw deviceNotFound(deviceId);
      assertEtagMatches(ifMatch, row.device.etag, 'Device');
      const moduleIds = await this.db.transaction(async (tx) =>
        (await tx.execute(this.sql.deleteRow, [deviceId, row.rowVersion])) === 1 ? this.deleteDependents(tx, deviceId) : undefined,
      );
      if (moduleIds) return { moduleIds };
      this.assertMayRetry(deviceId, attempt);
    }
  }

  applyRegistryOperations(operations: readonly RegistryOperation[]) {
    return this.bulk.apply(operations);
  }

  async exportDevices(after: string | undefined, limit: number): Promise<Array<{ device: Device; twin: Twin }>> {
    const rows = await this.db.query<{ device: unknown; twin: unknown }>(this.sql.exportPage, [after ?? '', limit]);
    return rows.map((row) => ({ device: canonicalDevice(decodeJsonColumn(row.device)), twin: canonicalTwin(decodeJsonColumn(row.twin)) }));
  }

  // ---- configurations (src/registry/sql/sql-configurations.ts)
  createConfiguration(input: ConfigurationInput) {
    return this.configurations.create(input);
  }

  getConfiguration(id: string) {
    return this.configurations.get(id);
  }

  listConfigurations(top: number) {
    return this.configurations.list(top);
  }

  replaceConfiguration(input: ConfigurationInput, ifMatch: string | undefined) {
    return this.configurations.replace(input, ifMatch);
  }

  deleteConfiguration(id: string, ifMatch: string | undefined) {
    return this.configurations.delete(id, ifMatch);
  }

  matchingTargets(targetCondition: string, after: string | undefined, limit: number) {
    return this.configurations.matchingTargets(targetCondition, after, limit);
  }

  appliedTargets(id: string, etag: string) {
    return this.configurations.appliedTargets(id, etag);
  }

  applyConfiguration(id: string, etag: string, targets: readonly string[]) {
    return this.configurations.apply(id, etag, targets);
  }

  // ---- webhooks (src/registry/sql/sql-webhooks.ts)
  putWebhook(input: WebhookInput) {
    return this.webhooks.put(input);
  }

  getWebhook(id: string) {
    return this.webhooks.get(id);
  }

  listWebhooks() {
    return this.webhooks.list();
  }

  deleteWebhook(id: string) {
    return this.webhooks.delete(id);
  }

  recordWebhookDelivery(record: WebhookDeliveryRecord) {
    return this.webhooks.recordDelivery(record);
  }

  getWebhookDelivery(hookId: string, id: string) {
    return this.webhooks.getDelivery(hookId, id);
  }

  giveUpWebhookDelivery(hookId: string, id: string, error: string) {
    return this.webhooks.giveUpDelivery(hookId, id, error);
  }

  listWebhookDeliveries(hookId: string, top: number) {
    return this.webhooks.listDeliveries(hookId, top);
  }

  purgeWebhookDeliveries(before: string) {
    return this.webhooks.purgeDeliveries(before);
  }

  failedDeviceJobs(jobId: string, ranges: readonly SeqRange[]) {
    return this.webhooks.failedDevices(jobId, ranges);
  }

  // ---- modules (src/registry/sql/sql-modules.ts)
  createModule(input: ModuleCreate) {
    return this.modules.create(input);
  }

  getModule(deviceId: string, moduleId: string) {
    return this.modules.get(deviceId, moduleId);
  }

  updateModule(input: ModuleCreate, ifMatch?: string) {
    return this.modules.update(input, ifMatch);
  }

  deleteModule(deviceId: string, moduleId: string, ifMatch?: string) {
    return this.modules.delete(deviceId, moduleId, ifMatch);
  }

  listModules(deviceId: string) {
    return this.modules.list(deviceId, async () => (await this.getDevice(deviceId)) !== undefined);
  }

  getModuleTwin(deviceId: string, moduleId: string) {
    return this.modules.getTwin(deviceId, moduleId);
  }

  updateModuleTwin(deviceId: string, moduleId: string, update: TwinServiceUpdate, options: { mode: TwinWriteMode; ifMatch?: string }) {
    return this.modules.updateTwin(deviceId, moduleId, update, options);
  }

  patchModuleReported(deviceId: string, moduleId: string, patch: Record<string, unknown>) {
    return this.modules.patchReported(deviceId, moduleId, patch);
  }

  setModuleConnectionState(deviceId: string, moduleId: string, state: Device['connectionState'], at: Date) {
    return this.modules.setConnectionState(deviceId, moduleId, state, at);
  }

  async listDevices(top = DEFAULT_LIST_SIZE): Promise<Device[]> {
    const rows = await this.db.query<{ device: unknown }>(this.sql.listDevices, [top]);
    return rows.map((row) => canonicalDevice(decodeJsonColumn(row.device)));
  }

  async getTwin(deviceId: string): Promise<Twin | undefined> {
    const [row] = await this.db.query<{ twin: unknown }>(this.sql.selectTwin, [deviceId]);
    return row && canonicalTwin(decodeJsonColumn(row.twin));
  }

  updateTwin(
    deviceId: string,
    update: TwinServiceUpdate,
    options: { mode: TwinWriteMode; ifMatch?: string },
  ): Promise<{ twin: Twin; desiredChange?: DesiredPropertiesPatch }> {
    return this.mutate<{ twin: Twin; desiredChange?: DesiredPropertiesPatch }>(deviceId, ({ twin }) => {
      assertEtagMatches(options.ifMatch, twin.etag, 'Twin');
      const { twin: next, desiredPatch } = applyServiceUpdate(twin, update, options.mode, this.now());
      if (next === twin) return { result: { twin } };
      const desiredChange = desiredPatch && { deviceId, patch: desiredPatch, version: next.properties.desired.$version };
      return { twin: next, result: { twin: next, desiredChange } };
    });
  }

  async query(text: string, page: QueryPageRequest = {}): Promise<QueryResult> {
    const parsed = parseQuery(text);
    const compiled = compileQuery(parsed, this.db.dialect, QUERY_SOURCES[parsed.collection], page);
    const rows = await this.db.query(compiled.sql, compiled.params, { prepare: false });
    const { items, continuation } = compiled.decodePage(rows);
    // Whole twins come back as GET /twins shows them (jsonb does not keep the field order).
    const shaped = compiled.itemType === 'Twin' ? items.map((item) => canonicalTwin(item as Twin)) : items;
    return { items: shaped, itemType: compiled.itemType, continuation };
  }

  patchReported(deviceId: string, patch: Record<string, unknown>): Promise<number> {
    return this.mutate(deviceId, ({ twin }) => {
      const next = applyReportedPatch(twin, patch, this.now());
      return { twin: next, result: next.properties.reported.$version };
    });
  }

  async recordGatewayStart(at: string): Promise<void> {
    await this.db.execute(this.sql.recordGatewayStart, [at]);
  }

  async gatewayRestartSinceConnected(deviceId: string): Promise<string | undefined> {
    const [row] = await this.db.query<{ started: string | null }>(this.sql.gatewayRestartSinceConnected, [deviceId]);
    return row?.started ?? undefined;
  }

  async setConnectionState(deviceId: string, state: Device['connectionState'], at: Date): Promise<void> {
    const changed = await this.db.execute(this.sql.setConnectionState, [deviceId, state, formatHubTime(at)]);
    // No row changed: the device is gone, or a newer state is stored and this write is stale (ignored).
    if (changed === 0 && !(await this.getDevice(deviceId))) throw deviceNotFound(deviceId);
  }

  async recordActivity(entries: ReadonlyArray<readonly [deviceId: string, at: Date]>): Promise<number> {
    if (entries.length === 0) return 0;
    const rows = entries.map(([deviceId, at]) => [deviceId, formatHubTime(at)] as const);
    if (this.db.dialect === 'sqlite') return this.db.execute(this.sql.recordActivity, [JSON.stringify(rows)]);
    const ids = rows.map((row) => row[0]);
    return this.db.transaction(async (tx) => {
      await tx.query(this.sql.lockDevicesPg, [ids]);
      return tx.execute(this.sql.recordActivity, [ids, rows.map((row) => row[1])]);
    });
  }

  // ---- job records (src/registry/sql/sql-job-records.ts)
  snapshotJobDevices(job: JobSnapshotRequest, limit: number) {
    return this.jobRecords.snapshotJobDevices(job, limit);
  }

  claimDeviceJobs(jobId: string, range: SeqRange, at: string, limit: number) {
    return this.jobRecords.claimDeviceJobs(jobId, range, at, limit);
  }

  closeRunningDeviceJobs(jobId: string, range: SeqRange, at: string) {
    return this.jobRecords.closeRunningDeviceJobs(jobId, range, at);
  }

  finishDeviceJobs(jobId: string, outcomes: readonly DeviceJobOutcome[], at: string) {
    return this.jobRecords.finishDeviceJobs(jobId, outcomes, at);
  }

  applyTwinJobBatch(jobId: string, range: SeqRange, update: TwinServiceUpdate, at: string) {
    return this.jobRecords.applyTwinJobBatch(jobId, range, update, at);
  }

  closeUnprocessedDeviceJobs(jobId: string, close: { pending: { status: 'canceled' } | { status: 'failed'; error: DeviceJobError } }, at: string) {
    return this.jobRecords.closeUnprocessedDeviceJobs(jobId, close, at);
  }

  countDeviceJobs(jobId: string, range?: SeqRange) {
    return this.jobRecords.countDeviceJobs(jobId, range);
  }

  saveFinishedJob(jobId: string, response: object, finishedAt: string) {
    return this.jobRecords.saveFinishedJob(jobId, response, finishedAt);
  }

  getFinishedJob(jobId: string) {
    return this.jobRecords.getFinishedJob(jobId);
  }

  purgeFinishedJobs(finishedBefore: string) {
    return this.jobRecords.purgeFinishedJobs(finishedBefore);
  }

  // ---- rollout job records (src/registry/sql/sql-rollout-records.ts)
  claimRolloutDevices(jobId: string, claim: RolloutClaim, count: number, at: string) {
    return this.rolloutRecords.claimRolloutDevices(jobId, claim, count, at);
  }

  runningRolloutDevices(jobId: string, token: string) {
    return this.rolloutRecords.runningRolloutDevices(jobId, token);
  }

  finishRolloutDevices(jobId: string, outcomes: readonly RolloutOutcome[], at: string) {
    return this.rolloutRecords.finishRolloutDevices(jobId, outcomes, at);
  }

  countRolloutBatch(jobId: string, token: string) {
    return this.rolloutRecords.countRolloutBatch(jobId, token);
  }

  retryQueue(jobId: string) {
    return this.rolloutRecords.retryQueue(jobId);
  }

  private async readRow(deviceId: string): Promise<DeviceRow | undefined> {
    const [row] = await this.db.query<{ row_version: number | string; device: unknown; twin: unknown }>(this.sql.selectRow, [deviceId]);
    return (
      row && {
        rowVersion: Number(row.row_version),
        device: canonicalDevice(decodeJsonColumn(row.device)),
        twin: canonicalTwin(decodeJsonColumn(row.twin)),
      }
    );
  }

  /** Read, compute (pure, may throw a HubError and write nothing), compare-and-set; retried on a lost race. */
  private async mutate<T>(deviceId: string, change: (row: DeviceRow) => RowChange<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.readRow(deviceId);
      if (!row) throw deviceNotFound(deviceId);
      const { device, twin, result } = change(row);
      if (!device && !twin) return result;
      const params = [deviceId, row.rowVersion, device ? JSON.stringify(device) : null, twin ? JSON.stringify(twin) : null];
      if ((await this.db.execute(this.sql.updateRow, params)) === 1) return result;
      this.assertMayRetry(deviceId, attempt);
    }
  }

  /** A deleted device's modules and its applied configuration records go with it. */
  private async deleteDependents(tx: SqlSession, deviceId: string): Promise<string[]> {
    const moduleIds = await this.modules.deleteOfDevice(tx, deviceId);
    // The device's own target and its modules' (`{deviceId}/…`, bytewise between `{deviceId}/` and `{deviceId}0`).
    await tx.execute(this.sql.deleteApplied, [deviceId, `${deviceId}/`, `${deviceId}0`]);
    return moduleIds;
  }

  private assertParent(device: Device): Promise<void> {
    return assertParentScope(device, (deviceId) => this.getDevice(deviceId));
  }

  private assertMayRetry(deviceId: string, attempt: number): void {
    if (attempt >= MAX_WRITE_ATTEMPTS) {
      throw new HubError('ServiceUnavailable', `Device '${deviceId}' is being written too often concurrently, try again`);
    }
  }
}
