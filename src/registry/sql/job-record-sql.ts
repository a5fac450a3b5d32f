import { compileCondition, parseQueryCondition } from '../../query/index.js';
import { decodeJsonColumn } from '../json.js';
import { OUTCOME_UNKNOWN, type SeqRange } from '../job-records.js';
import type { Twin } from '../model.js';
import type { SqlDialect, SqlSession } from './driver.js';
import { QUERY_SOURCES } from './query-sources.js';

/** A device's twin as stored, for a twin job's batch (undefined: the device is gone). */
export interface PendingTwin {
  deviceId: string;
  twin?: Twin;
}

/**
 * `column` with top-level fields set from a JSON object parameter (JSON text) holding exactly
 * `keys`. SQLite's json_patch would drop null members (RFC 7396), and twin-job outcomes and method
 * payloads may hold nulls, so SQLite sets each key from `param -> '$.key'` (kept as JSON).
 */
function merged(dialect: SqlDialect, column: string, param: string, keys: readonly string[]): string {
  if (dialect === 'postgres') return `${column} || ${param}::jsonb`;
  return `json_set(${column}, ${keys.map((key) => `'$.${key}', ${param} -> '$.${key}'`).join(', ')})`;
}

const NOT_FINAL = `('pending', 'running')`;
const WAITING = `('waiting', 'woken')`;
const CLAIM_KEYS = ['status', 'startTimeUtc', 'lastUpdatedDateTimeUtc'];
const FAIL_KEYS = ['status', 'error', 'endTimeUtc', 'lastUpdatedDateTimeUtc'];

/** A record patch: fields merged into the document (its `status` also goes to the status column). */
export type RecordPatchRow = readonly [deviceId: string, patch: Record<string, unknown> & { status: string }];

/**
 * The SQL of the job-record methods, per dialect. Writes of many rows are one statement on
 * PostgreSQL (unnest of array parameters: one round trip) and a loop over a prepared statement on
 * SQLite (in-process, so a loop costs no round trips and avoids building huge statements).
 */
export function jobRecordSql(dialect: SqlDialect) {
  const pg = dialect === 'postgres';
  const range = `job_id = $1 AND seq >= $2 AND seq < $3`;
  const errorCode = (table: string) => (pg ? `${table}doc->'error'->>'code'` : `json_extract(${table}doc, '$.error.code')`);
  /** Records an outcome may be written to: not final, or failed with an unknown outcome (the answer came after all). */
  const WRITABLE = (table: string) => `(${table}status IN ${NOT_FINAL} OR (${table}status = 'failed' AND ${errorCode(table)} = '${OUTCOME_UNKNOWN.code}'))`;
  const sql = {
    lastRecorded: `SELECT device_id, seq, ${pg ? "doc->>'createdDateTimeUtc'" : "json_extract(doc, '$.createdDateTimeUtc')"} AS created
      FROM device_jobs WHERE job_id = $1 AND seq IS NOT NULL ORDER BY seq DESC LIMIT 1`,
    // The first $5 pending records. On PostgreSQL the rows are picked once in a CTE (a LIMIT … FOR
    // UPDATE subquery inside the UPDATE may be re-run and pick more), skipping rows another claimer holds.
    claimFirst: pg
      ? `WITH picked AS (SELECT seq FROM device_jobs WHERE ${range} AND status = 'pending' ORDER BY seq LIMIT $5 FOR UPDATE SKIP LOCKED)
         UPDATE device_jobs AS j SET status = 'running', doc = ${merged(dialect, 'j.doc', '$4', CLAIM_KEYS)}
         FROM picked WHERE j.job_id = $1 AND j.seq = picked.seq RETURNING j.device_id, j.seq`
      : `UPDATE device_jobs SET status = 'running', doc = ${merged(dialect, 'doc', '$4', CLAIM_KEYS)}
         WHERE job_id = $1 AND seq IN (SELECT seq FROM device_jobs WHERE ${range} AND status = 'pending' ORDER BY seq LIMIT $5)
         RETURNING device_id, seq`,
    closeRunningInRange: `UPDATE device_jobs SET status = 'failed', doc = ${merged(dialect, 'doc', '$4', FAIL_KEYS)}
      WHERE ${range} AND status = 'running'`,
    // A twin job's records, all completed at $4 (hub time): the values are bound as scalars, so no
    // JSON patch is parsed per row. The outcome of a twin job is `deviceMethodResponse: null`.
    completeTwinRange: `UPDATE device_jobs SET status = 'completed', doc = ${
      pg
        ? `doc || jsonb_build_object('status', 'completed', 'startTimeUtc', $4::text, 'endTimeUtc', $4::text, 'lastUpdatedDateTimeUtc', $4::text, 'outcome', jsonb_build_object('deviceMethodResponse', NULL))`
        : `json_set(doc, '$.status', 'completed', '$.startTimeUtc', $4, '$.endTimeUtc', $4, '$.lastUpdatedDateTimeUtc', $4, '$.outcome', json_object('deviceMethodResponse', NULL))`
    }
      WHERE ${range} AND status = 'pending'`,
    closeRunning: `UPDATE device_jobs SET status = 'failed', doc = ${merged(dialect, 'doc', '$2', FAIL_KEYS)}
      WHERE job_id = $1 AND status = 'running'`,
    // Records waiting for their device (src/registry/device-waits.ts) are pending to the job; a
    // batch's range leaves out every record that waited (the wait counts them).
    countJob: `SELECT CASE WHEN status IN ${WAITING} THEN 'pending' ELSE status END AS status, count(*) AS n FROM device_jobs WHERE job_id = $1 GROUP BY 1`,
    countRange: `SELECT status, count(*) AS n FROM device_jobs WHERE ${range} AND wait_until IS NULL GROUP BY status`,
    saveFinished: `INSERT INTO finished_jobs (job_id, finished_at, response) VALUES ($1, $2, $3)
      ON CONFLICT (job_id) DO UPDATE SET finished_at = excluded.finished_at, response = excluded.response`,
    getFinished: `SELECT response FROM finished_jobs WHERE job_id = $1`,
    expiredJobs: `SELECT job_id FROM finished_jobs WHERE finished_at < $1 ORDER BY finished_at LIMIT $2`,
    deleteRecords: `DELETE FROM device_jobs WHERE job_id = $1`,
    deleteFinished: `DELETE FROM finished_jobs WHERE job_id = $1`,
    finishRecords: `UPDATE device_jobs AS j SET status = v.status, doc = (j.doc - 'error') || v.patch::jsonb
      FROM unnest($2::text[], $3::text[], $4::text[]) AS v(device_id, status, patch)
      WHERE j.job_id = $1 AND j.device_id = v.device_id AND ${WRITABLE('j.')}`,
    writeTwin: `UPDATE devices SET row_version = row_version + 1, twin = $2 WHERE device_id = $1`,
    writeTwins: `UPDATE devices AS d SET row_version = d.row_version + 1, twin = v.twin::jsonb
      FROM unnest($1::text[], $2::text[]) AS v(device_id, twin) WHERE d.device_id = v.device_id`,
    pendingTwinsSqlite: `SELECT j.device_id AS device_id, d.twin AS twin FROM device_jobs AS j
      LEFT JOIN devices AS d ON d.device_id = j.device_id
      WHERE j.job_id = $1 AND j.seq >= $2 AND j.seq < $3 AND j.status = 'pending'`,
    // Row locks in device id order: concurrent batches and twin writers cannot interleave or deadlock.
    pendingRecordsPg: `SELECT device_id FROM device_jobs WHERE ${range} AND status = 'pending' ORDER BY device_id FOR UPDATE`,
    lockTwinsPg: `SELECT device_id, twin FROM devices WHERE device_id = ANY($1::text[]) ORDER BY device_id FOR UPDATE`,
  };

  /**
   * The next `limit` devices matching the condition after `after`, inserted as pending records
   * numbered from `firstSeq`; returns the inserted seqs. The text depends on the condition, so it
   * is not kept prepared.
   */
  function snapshotStatement(queryCondition: string, limit: number) {
    const condition = parseQueryCondition(queryCondition);
    // Jobs run on device twins: a `FROM devices.modules` job targets nothing.
    const where = condition.collection === 'devices' ? compileCondition(condition, dialect, QUERY_SOURCES.devices) : { sql: '1 = 0', params: [] };
    const k = where.params.length;
    const [jobId, firstSeq, jobType, created, after] = [1, 2, 3, 4, 5].map(
      (i) => `$${k + i}${pg ? ['::text', '::integer', '::text', '::text', '::text'][i - 1] : ''}`,
    );
    const doc = `${pg ? 'jsonb_build_object' : 'json_object'}('deviceId', picked.device_id, 'jobId', ${jobId}, 'jobType', ${jobType},
      'status', 'pending', 'createdDateTimeUtc', ${created}, 'lastUpdatedDateTimeUtc', ${created})`;
    const text = `INSERT INTO device_jobs (job_id, device_id, seq, status, doc)
      SELECT ${jobId}, picked.device_id, ${firstSeq} + CAST(row_number() OVER (ORDER BY picked.device_id) AS INTEGER) - 1, 'pending', ${doc}
      FROM (SELECT src.device_id FROM devices AS src WHERE (${where.sql}) AND src.device_id > ${after}
            ORDER BY src.device_id LIMIT ${Math.trunc(limit)}) AS picked
      RETURNING seq`;
    return (values: { jobId: string; firstSeq: number; jobType: string; created: string; after: string }) => ({
      sql: text,
      params: [...where.params, values.jobId, values.firstSeq, values.jobType, values.created, values.after],
    });
  }

  /** Pending records of a job (and those waiting for their device) set to `patch` (its keys decide the statement text). */
  function closePendingStatement(keys: readonly string[]): string {
    // Devices waiting for a retry (status 'retrying', see rollout-records.ts) or for their device
    // ('waiting', 'woken', see device-waits.ts) end as the pending ones.
    return `UPDATE device_jobs SET status = $2, retry_at = NULL, doc = ${merged(dialect, 'doc', '$3', keys)} WHERE job_id = $1 AND status IN ('pending', 'retrying', 'waiting', 'woken')`;
  }

  /** Writes patches (replacing any error) to the records an outcome may be written to; returns how many changed. */
  async function finishRecords(tx: SqlSession, jobId: string, rows: readonly RecordPatchRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    if (pg) {
      const columns = [rows.map((r) => r[0]), rows.map((r) => r[1].status), rows.map((r) => JSON.stringify(r[1]))];
      return tx.execute(sql.finishRecords, [jobId, ...columns]);
    }
    let changed = 0;
    for (const [deviceId, patch] of rows) {
      changed += await tx.execute(finishRecordStatement(Object.keys(patch)), [jobId, deviceId, patch.status, JSON.stringify(patch)]);
    }
    return changed;
  }

  /** The per-record finish statement for a patch's keys, built once per key set (outcomes use a few). */
  const finishTexts = new Map<string, string>();
  function finishRecordStatement(keys: readonly string[]): string {
    const key = keys.join(',');
    let text = finishTexts.get(key);
    if (text === undefined) {
      text = `UPDATE device_jobs SET status = $3, doc = ${merged(dialect, "json_remove(doc, '$.error')", '$4', keys)}
        WHERE job_id = $1 AND device_id = $2 AND ${WRITABLE('')}`;
      finishTexts.set(key, text);
    }
    return text;
  }

  async function writeTwins(tx: SqlSession, rows: ReadonlyArray<readonly [string, string]>): Promise<void> {
    if (rows.length === 0) return;
    if (pg) {
      await tx.execute(sql.writeTwins, [rows.map((r) => r[0]), rows.map((r) => r[1])]);
      return;
    }
    await tx.executeEach(sql.writeTwin, rows);
  }

  async function pendingTwins(tx: SqlSession, jobId: string, { from, to }: SeqRange): Promise<PendingTwin[]> {
    if (!pg) {
      const rows = await tx.query<{ device_id: string; twin: string | null }>(sql.pendingTwinsSqlite, [jobId, from, to]);
      return rows.map((row) => ({ deviceId: row.device_id, twin: row.twin === null ? undefined : decodeJsonColumn<Twin>(row.twin) }));
    }
    const ids = (await tx.query<{ device_id: string }>(sql.pendingRecordsPg, [jobId, from, to])).map((row) => row.device_id);
    if (ids.length === 0) return [];
    const twins = new Map(
      (await tx.query<{ device_id: string; twin: unknown }>(sql.lockTwinsPg, [ids])).map((row) => [row.device_id, decodeJsonColumn<Twin>(row.twin)]),
    );
    return ids.map((deviceId) => ({ deviceId, twin: twins.get(deviceId) }));
  }

  return { sql, snapshotStatement, closePendingStatement, finishRecords, writeTwins, pendingTwins };
}

export type JobRecordSql = ReturnType<typeof jobRecordSql>;
