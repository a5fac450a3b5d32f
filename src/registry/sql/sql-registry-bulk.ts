import { HubError, isHubError } from '../../errors/hub-error.js';
import { canonicalDevice, newDevice, replacedDevice } from '../device/identity.js';
import { assertParentScope } from '../device/scopes.js';
import { assertEtagMatches } from '../if-match.js';
import { decodeJsonColumn } from '../json.js';
import type { Device, Twin } from '../model.js';
import type { RegistryOperation, RegistryOperationResult } from '../store.js';
import { canonicalTwin, newTwin, withIdentity } from '../twin/document.js';
import { applyServiceUpdate } from '../twin/service-update.js';
import type { SqlDriver, SqlSession } from './driver.js';

interface Current {
  device: Device;
  twin: Twin;
}

/** What the operations come to: rows to insert, replace and delete, and each operation's result. */
interface Plan {
  inserts: Map<string, Current>;
  updates: Map<string, Current>;
  deletes: Set<string>;
  results: RegistryOperationResult[];
}

function statements(dialect: SqlDriver['dialect']) {
  const pg = dialect === 'postgres';
  return {
    // Row locks in device id order (PostgreSQL), as the other multi-device writers take them.
    select: pg
      ? `SELECT device_id, device, twin FROM devices WHERE device_id = ANY($1::text[]) ORDER BY device_id FOR UPDATE`
      : `SELECT device_id, device, twin FROM devices WHERE device_id IN (SELECT value FROM json_each($1))`,
    insert: pg
      ? `INSERT INTO devices (device_id, row_version, device, twin)
         SELECT v.id, 1, v.device::jsonb, v.twin::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, device, twin)`
      : `INSERT INTO devices (device_id, row_version, device, twin) VALUES ($1, 1, $2, $3)`,
    update: pg
      ? `UPDATE devices AS d SET row_version = d.row_version + 1, device = v.device::jsonb, twin = v.twin::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, device, twin) WHERE d.device_id = v.id`
      : `UPDATE devices SET row_version = row_version + 1, device = $2, twin = $3 WHERE device_id = $1`,
    delete: pg ? `DELETE FROM devices WHERE device_id = ANY($1::text[])` : `DELETE FROM devices WHERE device_id = $1`,
    deleteModules: pg
      ? `DELETE FROM modules WHERE device_id = ANY($1::text[]) RETURNING device_id, module_id`
      : `DELETE FROM modules WHERE device_id = $1 RETURNING device_id, module_id`,
  };
}

const failure = (deviceId: string, error: HubError): RegistryOperationResult => ({ deviceId, ok: false, error });

/**
 * IoT Hub's bulk registry operations (and `devices import`): each operation is applied or fails on its
 * own (its error is its result), all in one transaction, so a crash applies none of them. Rows are
 * read and written a statement per batch in PostgreSQL (arrays), a prepared statement per row in SQLite.
 */
export class SqlRegistryBulk {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly db: SqlDriver,
    private readonly now: () => string,
  ) {
    this.sql = statements(db.dialect);
  }

  apply(operations: readonly RegistryOperation[]): Promise<RegistryOperationResult[]> {
    const ids = operations.map((operation) => operation.device.deviceId);
    if (new Set(ids).size !== ids.length) throw new HubError('ArgumentInvalid', 'A device id may appear only once in a bulk registry operation');
    return this.db.transaction(async (tx) => {
      const current = await this.read(tx, ids);
      const plan = await this.plan(operations, current, tx);
      const deletedModules = await this.write(tx, plan);
      return plan.results.map((result) =>
        result.ok && plan.deletes.has(result.deviceId) ? { ...result, moduleIds: deletedModules.get(result.deviceId) ?? [] } : result,
      );
    });
  }

  private async read(tx: SqlSession, ids: readonly string[]): Promise<Map<string, Current>> {
    const rows = await tx.query<{ device_id: string; device: unknown; twin: unknown }>(this.sql.select, [
      this.db.dialect === 'postgres' ? ids : JSON.stringify(ids),
    ]);
    return new Map(
      rows.map((row) => [
        row.device_id,
        { device: canonicalDevice(decodeJsonColumn<Device>(row.device)), twin: canonicalTwin(decodeJsonColumn<Twin>(row.twin)) },
      ]),
    );
  }

  /** Computes every operation in order against the rows as the earlier ones leave them. */
  private async plan(operations: readonly RegistryOperation[], stored: Map<string, Current>, tx: SqlSession): Promise<Plan> {
    const plan: Plan = { inserts: new Map(), updates: new Map(), deletes: new Set(), results: [] };
    const now = this.now();
    // Parents may be created earlier in the same call; others are read in the transaction.
    const lookup = async (deviceId: string): Promise<Device | undefined> =>
      plan.inserts.get(deviceId)?.device ?? plan.updates.get(deviceId)?.device ?? stored.get(deviceId)?.device ?? (await this.readOne(tx, deviceId));
    for (const operation of operations) {
      const { deviceId } = operation.device;
      const existing = stored.get(deviceId);
      try {
        const mode = operation.importMode;
        if (mode === 'delete' || mode === 'deleteIfMatchETag') {
          if (!existing) throw new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);
          if (mode === 'deleteIfMatchETag') assertEtagMatches(operation.etag ?? '', existing.device.etag, 'Device');
          plan.deletes.add(deviceId);
          plan.results.push({ deviceId, ok: true });
          continue;
        }
        if (existing && mode === 'create') throw new HubError('DeviceAlreadyExists', `A device with id '${deviceId}' already exists`);
        if (!existing && (mode === 'update' || mode === 'updateIfMatchETag')) throw new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);
        if (existing && (mode === 'updateIfMatchETag' || mode === 'createOrUpdateIfMatchETag')) {
          assertEtagMatches(operation.etag ?? '', existing.device.etag, 'Device');
        }
        const device = existing ? replacedDevice(existing.device, operation.device, now) : newDevice(operation.device);
        await assertParentScope(device, lookup);
        let twin = existing ? withIdentity(existing.twin, device) : newTwin(device, now);
        if (operation.twin) twin = applyServiceUpdate(twin, operation.twin, 'replace', now).twin;
        (existing ? plan.updates : plan.inserts).set(deviceId, { device, twin });
        plan.results.push({ deviceId, ok: true, device, created: !existing });
      } catch (err) {
        if (!isHubError(err)) throw err;
        plan.results.push(failure(deviceId, err));
      }
    }
    return plan;
  }

  private async readOne(tx: SqlSession, deviceId: string): Promise<Device | undefined> {
    return (await this.read(tx, [deviceId])).get(deviceId)?.device;
  }

  /** Writes the plan; returns the module ids deleted with each deleted device. */
  private async write(tx: SqlSession, plan: Plan): Promise<Map<string, string[]>> {
    const rows = (entries: Map<string, Current>) => [...entries].map(([id, { device, twin }]) => [id, JSON.stringify(device), JSON.stringify(twin)] as const);
    const deleted: Array<{ device_id: string; module_id: string }> = [];
    if (this.db.dialect === 'postgres') {
      for (const [statement, entries] of [
        [this.sql.insert, plan.inserts],
        [this.sql.update, plan.updates],
      ] as const) {
        const values = rows(entries);
        if (values.length > 0) await tx.execute(statement, [values.map((v) => v[0]), values.map((v) => v[1]), values.map((v) => v[2])]);
      }
      if (plan.deletes.size > 0) {
        const ids = [...plan.deletes];
        deleted.push(...(await tx.query<{ device_id: string; module_id: string }>(this.sql.deleteModules, [ids])));
        await tx.execute(this.sql.delete, [ids]);
      }
    } else {
      for (const values of rows(plan.inserts)) await tx.execute(this.sql.insert, values);
      for (const values of rows(plan.updates)) await tx.execute(this.sql.update, values);
      for (const id of plan.deletes) {
        deleted.push(...(await tx.query<{ device_id: string; module_id: string }>(this.sql.deleteModules, [id])));
        await tx.execute(this.sql.delete, [id]);
      }
    }
    const modules = new Map<string, string[]>();
    for (const row of deleted) modules.set(row.device_id, [...(modules.get(row.device_id) ?? []), row.module_id]);
    return modules;
  }
}
