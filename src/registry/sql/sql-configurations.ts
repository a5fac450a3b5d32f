import { HubError } from '../../errors/hub-error.js';
import { compileMatchingKeys, parseQueryCondition } from '../../query/index.js';
import { buildConfiguration, desiredPatchOf, outranks, type Configuration, type ConfigurationInput } from '../configuration/model.js';
import { deviceEtag, deviceEtagCounter } from '../device/etag.js';
import { assertEtagMatches } from '../if-match.js';
import { decodeJsonColumn } from '../json.js';
import type { DesiredPropertiesPatch, Twin } from '../model.js';
import { identityKey, parseIdentityKey } from '../module/key.js';
import { canonicalTwin } from '../twin/document.js';
import { applyServiceUpdate } from '../twin/service-update.js';
import type { SqlDriver, SqlSession } from './driver.js';
import { QUERY_SOURCES } from './query-sources.js';

const notFound = (id: string) => new HubError('ConfigurationNotFound', `Configuration '${id}' was not found`);

function statements(dialect: SqlDriver['dialect']) {
  const forUpdate = dialect === 'postgres' ? ' FOR UPDATE' : '';
  return {
    insert: `INSERT INTO configurations (config_id, row_version, doc) VALUES ($1, 1, $2) ON CONFLICT (config_id) DO NOTHING`,
    select: `SELECT row_version, doc FROM configurations WHERE config_id = $1`,
    list: `SELECT doc FROM configurations ORDER BY config_id LIMIT $1`,
    update: `UPDATE configurations SET row_version = row_version + 1, doc = $3 WHERE config_id = $1 AND row_version = $2`,
    delete: `DELETE FROM configurations WHERE config_id = $1 AND row_version = $2`,
    deleteApplied: `DELETE FROM applied_configurations WHERE config_id = $1`,
    appliedOf: `SELECT config_id, etag FROM applied_configurations WHERE target = $1${forUpdate}`,
    upsertApplied: `INSERT INTO applied_configurations (target, config_id, etag) VALUES ($1, $2, $3)
                    ON CONFLICT (target) DO UPDATE SET config_id = excluded.config_id, etag = excluded.etag`,
    appliedTargets: `SELECT target FROM applied_configurations WHERE config_id = $1 AND etag = $2`,
    deviceTwin: `SELECT twin FROM devices WHERE device_id = $1${forUpdate}`,
    moduleTwin: `SELECT twin FROM modules WHERE device_id = $1 AND module_id = $2${forUpdate}`,
    writeDeviceTwin: `UPDATE devices SET row_version = row_version + 1, twin = $2 WHERE device_id = $1`,
    writeModuleTwin: `UPDATE modules SET row_version = row_version + 1, twin = $3 WHERE device_id = $1 AND module_id = $2`,
  };
}

/** What applying a configuration to some targets did. */
export interface ConfigurationApplied {
  /** Targets whose twin got the content now. */
  applied: number;
  /** Desired-property changes to announce to the devices (after commit). */
  desiredChanges: DesiredPropertiesPatch[];
}

/**
 * Automatic device configurations (table `configurations`) and their application to twins
 * (`applied_configurations`). Applying is idempotent per configuration etag: a target whose row
 * already names this configuration at this etag is skipped, and the twin write and the row go in one
 * transaction, so a crash and a retry never write a twin twice.
 */
export class SqlConfigurations {
  private readonly sql: ReturnType<typeof statements>;

  constructor(
    private readonly db: SqlDriver,
    private readonly now: () => string,
  ) {
    this.sql = statements(db.dialect);
  }

  async create(input: ConfigurationInput): Promise<Configuration> {
    const configuration = buildConfiguration(input, undefined, this.now(), deviceEtag(1));
    if ((await this.db.execute(this.sql.insert, [configuration.id, JSON.stringify(configuration)])) === 0) {
      throw new HubError('ConfigurationAlreadyExists', `A configuration with id '${configuration.id}' already exists`);
    }
    return configuration;
  }

  async get(id: string): Promise<Configuration | undefined> {
    return (await this.read(id))?.configuration;
  }

  async list(top: number): Promise<Configuration[]> {
    return (await this.db.query<{ doc: unknown }>(this.sql.list, [top])).map((row) => decodeJsonColumn<Configuration>(row.doc));
  }

  async replace(input: ConfigurationInput, ifMatch: string | undefined): Promise<Configuration> {
    const row = await this.read(input.id);
    if (!row) throw notFound(input.id);
    assertEtagMatches(ifMatch, row.configuration.etag, 'Configuration');
    const next = buildConfiguration(input, row.configuration, this.now(), deviceEtag(deviceEtagCounter(row.configuration.etag) + 1));
    if ((await this.db.execute(this.sql.update, [input.id, row.rowVersion, JSON.stringify(next)])) === 0) {
      throw new HubError('PreconditionFailed', `Configuration '${input.id}' changed meanwhile; read it again`);
    }
    return next;
  }

  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    const row = await this.read(id);
    if (!row) throw notFound(id);
    assertEtagMatches(ifMatch, row.configuration.etag, 'Configuration');
    const deleted = await this.db.transaction(async (tx) => {
      const count = await tx.execute(this.sql.delete, [id, row.rowVersion]);
      if (count === 1) await tx.execute(this.sql.deleteApplied, [id]);
      return count;
    });
    if (deleted === 0) throw new HubError('PreconditionFailed', `Configuration '${id}' changed meanwhile; read it again`);
  }

  /** The next `limit` targets (`{deviceId}` or `{deviceId}/{moduleId}`) of a condition after `after`, in key order. */
  async matchingTargets(targetCondition: string, after: string | undefined, limit: number): Promise<string[]> {
    const condition = parseQueryCondition(targetCondition);
    const modules = condition.collection === 'devices.modules';
    const position = after === undefined ? undefined : modules ? Object.values(parseIdentityKey(after)) : after;
    const compiled = compileMatchingKeys(condition, this.db.dialect, QUERY_SOURCES[modules ? 'devices.modules' : 'devices'], { limit, after: position });
    const rows = await this.db.query<Record<string, string>>(compiled.sql, compiled.params, { prepare: false });
    return rows.map((row) => (modules ? identityKey(row.key_0!, row.key_1) : row.key_0!));
  }

  async appliedTargets(id: string, etag: string): Promise<Set<string>> {
    const rows = await this.db.query<{ target: string }>(this.sql.appliedTargets, [id, etag]);
    return new Set(rows.map((row) => row.target));
  }

  /**
   * Applies the configuration (as of `etag`) to each target it wins: one not already holding it at
   * this etag, and not holding a configuration that outranks it. All in one transaction.
   */
  async apply(id: string, etag: string, targets: readonly string[]): Promise<ConfigurationApplied> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx.query<{ doc: unknown }>(this.sql.select, [id]);
      const configuration = row && decodeJsonColumn<Configuration>(row.doc);
      if (!configuration || configuration.etag !== etag) return { applied: 0, desiredChanges: [] };
      const section = configuration.content.deviceContent ?? configuration.content.moduleContent ?? {};
      const patch = desiredPatchOf(section);
      const others = new Map<string, Configuration | undefined>();
      const result: ConfigurationApplied = { applied: 0, desiredChanges: [] };
      for (const target of targets) {
        const [held] = await tx.query<{ config_id: string; etag: string }>(this.sql.appliedOf, [target]);
        if (held?.config_id === id && held.etag === etag) continue;
        if (held && held.config_id !== id) {
          if (!others.has(held.config_id)) others.set(held.config_id, await this.readIn(tx, held.config_id));
          const holder = others.get(held.config_id);
          if (holder && outranks(holder, configuration)) continue;
        }
        const twin = await this.twinOf(tx, target);
        if (!twin) continue;
        const { twin: next, desiredPatch } = applyServiceUpdate(twin, { desired: patch }, 'patch', this.now());
        await this.writeTwin(tx, target, next);
        await tx.execute(this.sql.upsertApplied, [target, id, etag]);
        result.applied++;
        if (desiredPatch) result.desiredChanges.push({ deviceId: target, patch: desiredPatch, version: next.properties.desired.$version });
      }
      return result;
    });
  }

  private async readIn(session: SqlSession, id: string): Promise<Configuration | undefined> {
    const [row] = await session.query<{ doc: unknown }>(this.sql.select, [id]);
    return row && decodeJsonColumn<Configuration>(row.doc);
  }

  private async twinOf(tx: SqlSession, target: string): Promise<Twin | undefined> {
    const { deviceId, moduleId } = parseIdentityKey(target);
    const [row] =
      moduleId === undefined
        ? await tx.query<{ twin: unknown }>(this.sql.deviceTwin, [deviceId])
        : await tx.query<{ twin: unknown }>(this.sql.moduleTwin, [deviceId, moduleId]);
    return row && canonicalTwin(decodeJsonColumn<Twin>(row.twin));
  }

  private async writeTwin(tx: SqlSession, target: string, twin: Twin): Promise<void> {
    const { deviceId, moduleId } = parseIdentityKey(target);
    if (moduleId === undefined) await tx.execute(this.sql.writeDeviceTwin, [deviceId, JSON.stringify(twin)]);
    else await tx.execute(this.sql.writeModuleTwin, [deviceId, moduleId, JSON.stringify(twin)]);
  }

  private async read(id: string): Promise<{ rowVersion: number; configuration: Configuration } | undefined> {
    const [row] = await this.db.query<{ row_version: number | string; doc: unknown }>(this.sql.select, [id]);
    return row && { rowVersion: Number(row.row_version), configuration: decodeJsonColumn<Configuration>(row.doc) };
  }
}
