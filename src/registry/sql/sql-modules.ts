import { HubError } from '../../errors/hub-error.js';
import { assertEtagMatches } from '../if-match.js';
import { decodeJsonColumn } from '../json.js';
import type { DesiredPropertiesPatch, Device, Module, Twin, TwinServiceUpdate } from '../model.js';
import { canonicalModule, newModule, replacedModule } from '../module/identity.js';
import { identityKey } from '../module/key.js';
import type { ModuleCreate } from '../store.js';
import { formatHubTime } from '../time.js';
import { canonicalTwin, newModuleTwin, withModuleIdentity } from '../twin/document.js';
import { applyReportedPatch } from '../twin/reported-update.js';
import { applyServiceUpdate, type TwinWriteMode } from '../twin/service-update.js';
import type { SqlDriver, SqlSession } from './driver.js';

interface ModuleRow {
  rowVersion: number;
  module: Module;
  twin: Twin;
}

const MAX_WRITE_ATTEMPTS = 100;

const moduleNotFound = (deviceId: string, moduleId: string) => new HubError('ModuleNotFound', `Module '${moduleId}' on device '${deviceId}' was not found`);

function statements(dialect: SqlDriver['dialect']) {
  return {
    // The device row is locked (PostgreSQL; SQLite's write transaction serialises anyway) so a module
    // cannot be added to a device being deleted.
    lockDevice: `SELECT device_id FROM devices WHERE device_id = $1${dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
    insert: `INSERT INTO modules (device_id, module_id, row_version, module, twin) VALUES ($1, $2, 1, $3, $4)
             ON CONFLICT (device_id, module_id) DO NOTHING`,
    selectRow: `SELECT row_version, module, twin FROM modules WHERE device_id = $1 AND module_id = $2`,
    list: `SELECT module FROM modules WHERE device_id = $1 ORDER BY module_id`,
    listIds: `SELECT module_id FROM modules WHERE device_id = $1 ORDER BY module_id`,
    updateRow: `UPDATE modules SET row_version = row_version + 1, module = COALESCE($4, module), twin = COALESCE($5, twin)
                WHERE device_id = $1 AND module_id = $2 AND row_version = $3`,
    deleteRow: `DELETE FROM modules WHERE device_id = $1 AND module_id = $2 AND row_version = $3`,
    deleteOfDevice: `DELETE FROM modules WHERE device_id = $1`,
  };
}

/** Module identities and module twins (table `modules`), one row per module like devices. */
export class SqlModules {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly db: SqlDriver,
    private readonly now: () => string,
  ) {
    this.sql = statements(db.dialect);
  }

  async create(input: ModuleCreate): Promise<Module> {
    const module = newModule(input);
    const twin = newModuleTwin(module, this.now());
    return this.db.transaction(async (tx) => {
      const [device] = await tx.query(this.sql.lockDevice, [input.deviceId]);
      if (!device) throw new HubError('DeviceNotFound', `Device '${input.deviceId}' was not found`);
      const inserted = await tx.execute(this.sql.insert, [module.deviceId, module.moduleId, JSON.stringify(module), JSON.stringify(twin)]);
      if (inserted === 0) {
        throw new HubError('ModuleAlreadyExistsOnDevice', `A module with id '${module.moduleId}' already exists on device '${module.deviceId}'`);
      }
      return module;
    });
  }

  async get(deviceId: string, moduleId: string): Promise<Module | undefined> {
    return (await this.readRow(deviceId, moduleId))?.module;
  }

  async getTwin(deviceId: string, moduleId: string): Promise<Twin | undefined> {
    return (await this.readRow(deviceId, moduleId))?.twin;
  }

  async list(deviceId: string, deviceExists: () => Promise<boolean>): Promise<Module[]> {
    const rows = await this.db.query<{ module: unknown }>(this.sql.list, [deviceId]);
    if (rows.length === 0 && !(await deviceExists())) throw new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);
    return rows.map((row) => canonicalModule(decodeJsonColumn(row.module)));
  }

  update(input: ModuleCreate, ifMatch?: string): Promise<Module> {
    return this.mutate(input.deviceId, input.moduleId, ({ module, twin }) => {
      assertEtagMatches(ifMatch, module.etag, 'Module');
      const next = replacedModule(module, input);
      return { module: next, twin: withModuleIdentity(twin, next), result: next };
    });
  }

  async delete(deviceId: string, moduleId: string, ifMatch?: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.readRow(deviceId, moduleId);
      if (!row) throw moduleNotFound(deviceId, moduleId);
      assertEtagMatches(ifMatch, row.module.etag, 'Module');
      if ((await this.db.execute(this.sql.deleteRow, [deviceId, moduleId, row.rowVersion])) === 1) return;
      assertMayRetry(deviceId, moduleId, attempt);
    }
  }

  /** Inside the device's delete transaction: removes its modules, returning their ids. */
  async deleteOfDevice(tx: SqlSession, deviceId: string): Promise<string[]> {
    const ids = await tx.query<{ module_id: string }>(this.sql.listIds, [deviceId]);
    if (ids.length > 0) await tx.execute(this.sql.deleteOfDevice, [deviceId]);
    return ids.map((row) => row.module_id);
  }

  updateTwin(
    deviceId: string,
    moduleId: string,
    update: TwinServiceUpdate,
    options: { mode: TwinWriteMode; ifMatch?: string },
  ): Promise<{ twin: Twin; desiredChange?: DesiredPropertiesPatch }> {
    return this.mutate<{ twin: Twin; desiredChange?: DesiredPropertiesPatch }>(deviceId, moduleId, ({ twin }) => {
      assertEtagMatches(options.ifMatch, twin.etag, 'Twin');
      const { twin: next, desiredPatch } = applyServiceUpdate(twin, update, options.mode, this.now());
      if (next === twin) return { result: { twin } };
      const desiredChange = desiredPatch && { deviceId: identityKey(deviceId, moduleId), patch: desiredPatch, version: next.properties.desired.$version };
      return { twin: next, result: { twin: next, desiredChange } };
    });
  }

  patchReported(deviceId: string, moduleId: string, patch: Record<string, unknown>): Promise<number> {
    return this.mutate(deviceId, moduleId, ({ twin }) => {
      const next = applyReportedPatch(twin, patch, this.now());
      return { twin: next, result: next.properties.reported.$version };
    });
  }

  /** Last write wins by time, as for devices (a stale write from another gateway process is ignored). */
  setConnectionState(deviceId: string, moduleId: string, state: Device['connectionState'], at: Date): Promise<void> {
    const time = formatHubTime(at);
    return this.mutate(deviceId, moduleId, ({ module, twin }) => {
      const stored = module.connectionStateUpdatedTime;
      if (stored > time || (stored === time && state === 'Disconnected')) return { result: undefined };
      const next = { ...module, connectionState: state, connectionStateUpdatedTime: time };
      return { module: next, twin: { ...twin, connectionState: state }, result: undefined };
    });
  }

  private async readRow(deviceId: string, moduleId: string): Promise<ModuleRow | undefined> {
    const [row] = await this.db.query<{ row_version: number | string; module: unknown; twin: unknown }>(this.sql.selectRow, [deviceId, moduleId]);
    return (
      row && {
        rowVersion: Number(row.row_version),
        module: canonicalModule(decodeJsonColumn(row.module)),
        twin: canonicalTwin(decodeJsonColumn(row.twin)),
      }
    );
  }

  /** Read, compute (pure, may throw and write nothing), compare-and-set on row_version; retried on a lost race. */
  private async mutate<T>(deviceId: string, moduleId: string, change: (row: ModuleRow) => { module?: Module; twin?: Twin; result: T }): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.readRow(deviceId, moduleId);
      if (!row) throw moduleNotFound(deviceId, moduleId);
      const { module, twin, result } = change(row);
      if (!module && !twin) return result;
      const params = [deviceId, moduleId, row.rowVersion, module ? JSON.stringify(module) : null, twin ? JSON.stringify(twin) : null];
      if ((await this.db.execute(this.sql.updateRow, params)) === 1) return result;
      assertMayRetry(deviceId, moduleId, attempt);
    }
  }
}

function assertMayRetry(deviceId: string, moduleId: string, attempt: number): void {
  if (attempt >= MAX_WRITE_ATTEMPTS) {
    throw new HubError('ServiceUnavailable', `Module '${moduleId}' of device '${deviceId}' is being written too often concurrently, try again`);
  }
}
