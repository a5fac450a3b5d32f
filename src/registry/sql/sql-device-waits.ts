import type { DeviceWaitStore, WaitedDevices } from '../device-waits.js';
import type { DeviceJobError } from '../job-records.js';
import { failureKindOfAnswer, type FailureKind } from '../rollout-records.js';
import { noFailures } from '../../../workflows/rollout-types.js';
import type { SqlDialect, SqlDriver } from './driver.js';

/** A waited record's statuses before its call's outcome: waiting, woken (its device connected), running (being called). */
const UNFINISHED = `('waiting', 'woken', 'running')`;

/** The statements of the device waits, per dialect (lists bound as JSON text on SQLite, arrays on PostgreSQL). */
function waitSql(dialect: SqlDialect) {
  const pg = dialect === 'postgres';
  const inList = (param: string) => (pg ? `= ANY(${param}::text[])` : `IN (SELECT value FROM json_each(${param}))`);
  // Connected since $3 (hub time; fixed width, so bytewise order is time order): a state older than
  // the call that found the device offline is stale (a process died without writing Disconnected).
  const connectedSince = pg
    ? `EXISTS (SELECT 1 FROM devices AS d WHERE d.device_id = device_jobs.device_id AND d.device->>'connectionState' = 'Connected'
        AND (d.device->>'connectionStateUpdatedTime') COLLATE "C" >= $3::text)`
    : `EXISTS (SELECT 1 FROM devices AS d WHERE d.device_id = device_jobs.device_id AND json_extract(d.device, '$.connectionState') = 'Connected'
        AND json_extract(d.device, '$.connectionStateUpdatedTime') >= $3)`;
  const connected = pg
    ? `EXISTS (SELECT 1 FROM devices AS d WHERE d.device_id = device_jobs.device_id AND d.device->>'connectionState' = 'Connected')`
    : `EXISTS (SELECT 1 FROM devices AS d WHERE d.device_id = device_jobs.device_id AND json_extract(d.device, '$.connectionState') = 'Connected')`;
  const set = (fields: Record<string, string>) =>
    pg
      ? `doc || jsonb_build_object(${Object.entries(fields)
          .map(([key, value]) => `'${key}', ${value}`)
          .join(', ')})`
      : `json_set(doc, ${Object.entries(fields)
          .map(([key, value]) => `'$.${key}', ${value}`)
          .join(', ')})`;
  const text = (param: string) => (pg ? `${param}::text` : param);
  return {
    wait: `UPDATE device_jobs SET status = 'waiting', wait_until = COALESCE(wait_until, ${text('$3')}),
        doc = ${set({ status: `'scheduled'`, waitForDeviceUntil: `COALESCE(wait_until, ${text('$3')})`, lastUpdatedDateTimeUtc: text('$4') })}
      WHERE job_id = $1 AND device_id ${inList('$2')} AND status = 'running'`,
    wakeConnectedOf: `UPDATE device_jobs SET status = 'woken' WHERE job_id = $1 AND device_id ${inList('$2')} AND status = 'waiting' AND ${connectedSince}`,
    wakeDevices: `UPDATE device_jobs SET status = 'woken' WHERE device_id ${inList('$1')} AND status = 'waiting' RETURNING job_id`,
    wakeConnectedOfJob: `UPDATE device_jobs SET status = 'woken' WHERE job_id = $1 AND status = 'waiting' AND wait_until IS NOT NULL AND ${connected} RETURNING job_id`,
    wakeConnected: `UPDATE device_jobs SET status = 'woken' WHERE status = 'waiting' AND ${connected} RETURNING job_id`,
    claimWoken: `UPDATE device_jobs SET status = 'running', attempts = attempts + 1,
        doc = ${set({ status: `'running'`, lastUpdatedDateTimeUtc: text('$3'), attempts: 'attempts + 1' })}
      WHERE job_id = $1 AND device_id IN (
        SELECT device_id FROM device_jobs WHERE job_id = $1 AND status = 'woken' AND wait_until IS NOT NULL LIMIT $2${pg ? ' FOR UPDATE SKIP LOCKED' : ''})
      RETURNING device_id`,
    endWaits: `UPDATE device_jobs SET status = 'failed', failure = 'offline',
        doc = ${set({ status: `'failed'`, error: pg ? '$3::jsonb' : 'json($3)', endTimeUtc: text('$4'), lastUpdatedDateTimeUtc: text('$4') })}
      WHERE job_id = $1 AND status = 'waiting' AND wait_until IS NOT NULL AND wait_until <= $2`,
    endInterrupted: `UPDATE device_jobs SET status = 'failed',
        doc = ${set({ status: `'failed'`, error: pg ? '$2::jsonb' : 'json($2)', endTimeUtc: text('$3'), lastUpdatedDateTimeUtc: text('$3') })}
      WHERE job_id = $1 AND status = 'running' AND wait_until IS NOT NULL`,
    // A finished record's answer (its error code, or its method's status) tells how it failed. The
    // unfinished ones (as many as the devices still waiting) are counted from the index
    // device_jobs_waited_by_job alone, without reading their documents; one statement, one snapshot.
    waited: `SELECT status, NULL AS code, NULL AS answered, count(*) AS n, min(wait_until) AS next
      FROM device_jobs WHERE job_id = $1 AND wait_until IS NOT NULL AND status IN ${UNFINISHED} GROUP BY status
      UNION ALL
      SELECT status, ${pg ? `doc->'error'->>'code'` : `json_extract(doc, '$.error.code')`} AS code,
        ${pg ? `doc->'outcome'->'deviceMethodResponse'->>'status'` : `json_extract(doc, '$.outcome.deviceMethodResponse.status')`} AS answered,
        count(*) AS n, NULL AS next
      FROM device_jobs WHERE job_id = $1 AND wait_until IS NOT NULL AND status NOT IN ${UNFINISHED} GROUP BY status, code, answered`,
  };
}

/** The device-wait half of SqlHubStore (see DeviceWaitStore). */
export class SqlDeviceWaits implements DeviceWaitStore {
  private readonly sql: ReturnType<typeof waitSql>;

  constructor(private readonly db: SqlDriver) {
    this.sql = waitSql(db.dialect);
  }

  /** A list parameter as the dialect binds it. */
  private list(values: readonly string[]): unknown {
    return this.db.dialect === 'postgres' ? values : JSON.stringify(values);
  }

  async waitForDevices(
    jobId: string,
    deviceIds: readonly string[],
    until: string,
    at: string,
    connectedSince: string,
  ): Promise<{ waiting: number; woken: number }> {
    if (deviceIds.length === 0) return { waiting: 0, woken: 0 };
    const ids = this.list(deviceIds);
    const waiting = await this.db.execute(this.sql.wait, [jobId, ids, until, at]);
    // A separate transaction, after the wait committed: a connect committed before this statement
    // started is seen here; one committed later finds the records waiting (wakeWaitingDevices).
    const woken = await this.db.execute(this.sql.wakeConnectedOf, [jobId, ids, connectedSince]);
    return { waiting: waiting - woken, woken };
  }

  async wakeWaitingDevices(deviceIds: readonly string[]): Promise<string[]> {
    if (deviceIds.length === 0) return [];
    return distinctJobs(await this.db.query<{ job_id: string }>(this.sql.wakeDevices, [this.list(deviceIds)]));
  }

  async wakeConnectedDevices(jobId?: string): Promise<string[]> {
    const rows =
      jobId === undefined
        ? await this.db.query<{ job_id: string }>(this.sql.wakeConnected)
        : await this.db.query<{ job_id: string }>(this.sql.wakeConnectedOfJob, [jobId]);
    return distinctJobs(rows);
  }

  async claimWokenDevices(jobId: string, limit: number, at: string): Promise<string[]> {
    const rows = await this.db.transaction((tx) => tx.query<{ device_id: string }>(this.sql.claimWoken, [jobId, limit, at]));
    return rows.map((row) => row.device_id);
  }

  endWaits(jobId: string, now: string, error: DeviceJobError, at: string): Promise<number> {
    return this.db.execute(this.sql.endWaits, [jobId, now, JSON.stringify(error), at]);
  }

  endInterruptedCalls(jobId: string, error: DeviceJobError, at: string): Promise<number> {
    return this.db.execute(this.sql.endInterrupted, [jobId, JSON.stringify(error), at]);
  }

  async waitedDevices(jobId: string): Promise<WaitedDevices> {
    const rows = await this.db.query<{ status: string; code: string | null; answered: number | string | null; n: number | string; next: string | null }>(
      this.sql.waited,
      [jobId],
    );
    const waited: WaitedDevices = { waiting: 0, running: 0, succeeded: 0, failed: 0, failures: noFailures() };
    for (const row of rows) {
      const n = Number(row.n);
      if (row.status === 'waiting' || row.status === 'woken') {
        waited.waiting += n;
        if (row.status === 'waiting' && row.next !== null && (waited.nextWaitEnd === undefined || row.next < waited.nextWaitEnd)) waited.nextWaitEnd = row.next;
      } else if (row.status === 'running') waited.running += n;
      else if (row.status === 'completed') waited.succeeded += n;
      else waited.failed += n;
      const failure = failureOfRecord(row);
      if (failure) waited.failures[failure] += n;
    }
    return waited;
  }
}

/** How a finished record failed, from its answer; canceled records (the job stopped) did not fail a way of their own. */
function failureOfRecord({ status, code, answered }: { status: string; code: string | null; answered: number | string | null }): FailureKind | undefined {
  if (status === 'completed') return failureKindOfAnswer({ status: Number(answered) });
  return status === 'failed' ? failureKindOfAnswer({ code: code ?? '' }) : undefined;
}

const distinctJobs = (rows: ReadonlyArray<{ job_id: string }>): string[] => [...new Set(rows.map((row) => row.job_id))];
