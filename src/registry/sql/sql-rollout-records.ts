import { noFailures } from '../../../workflows/rollout-types.js';
import type { ClaimedDevice, FailureKind, RetryQueue, RolloutBatchCounts, RolloutClaim, RolloutOutcome, RolloutRecordStore } from '../rollout-records.js';
import type { SqlDialect, SqlDriver, SqlSession } from './driver.js';

/** A rollout record's SQL per dialect (see RolloutRecordStore); documents are merged as in job-record-sql.ts. */
function rolloutSql(dialect: SqlDialect) {
  const pg = dialect === 'postgres';
  // The claim: running, this batch's token, one more attempt; the last attempt's outcome stays in the document until replaced.
  const claimDoc = pg
    ? `doc || jsonb_build_object('status', 'running', 'startTimeUtc', $AT::text, 'lastUpdatedDateTimeUtc', $AT::text, 'attempts', attempts + 1)`
    : `json_set(doc, '$.status', 'running', '$.startTimeUtc', $AT, '$.lastUpdatedDateTimeUtc', $AT, '$.attempts', attempts + 1)`;
  const claimSet = (at: string) => `status = 'running', claim = $2, attempts = attempts + 1, doc = ${claimDoc.replaceAll('$AT', at)}`;
  // An attempt's end replaces the previous attempt's outcome or error. SQLite sets key by key:
  // json_patch would drop the nulls a method payload may hold (RFC 7396).
  const finishTexts = new Map<string, string>();
  const finish = (keys: readonly string[]): string => {
    const key = keys.join(',');
    let text = finishTexts.get(key);
    if (text === undefined) {
      const doc = pg
        ? `(doc - 'error' - 'outcome') || $6::jsonb`
        : `json_set(json_remove(doc, '$.error', '$.outcome'), ${keys.map((k) => `'$.${k}', $6 -> '$.${k}'`).join(', ')})`;
      text = `UPDATE device_jobs SET status = $3, failure = $4, retry_at = $5, doc = ${doc} WHERE job_id = $1 AND device_id = $2 AND status = 'running'`;
      finishTexts.set(key, text);
    }
    return text;
  };
  return {
    interrupted: `SELECT device_id FROM device_jobs WHERE job_id = $1 AND claim = $2 AND status = 'running'`,
    claimedUnder: `SELECT count(*) AS n FROM device_jobs WHERE job_id = $1 AND claim = $2`,
    // The first $6 pending records of the range. On PostgreSQL the rows are picked once in a CTE (a
    // LIMIT … FOR UPDATE subquery inside the UPDATE may be re-run and pick more).
    claimRange: pg
      ? `WITH picked AS (SELECT seq FROM device_jobs WHERE job_id = $1 AND seq >= $3 AND seq < $4 AND status = 'pending' ORDER BY seq LIMIT $6 FOR UPDATE SKIP LOCKED)
         UPDATE device_jobs AS j SET ${claimSet('$5')} FROM picked WHERE j.job_id = $1 AND j.seq = picked.seq RETURNING j.device_id, j.attempts, j.seq`
      : `UPDATE device_jobs SET ${claimSet('$5')}
         WHERE job_id = $1 AND seq IN (SELECT seq FROM device_jobs WHERE job_id = $1 AND seq >= $3 AND seq < $4 AND status = 'pending' ORDER BY seq LIMIT $6)
         RETURNING device_id, attempts, seq`,
    claimDue: `UPDATE device_jobs SET ${claimSet('$5')}, retry_at = NULL
      WHERE job_id = $1 AND device_id IN (
        SELECT device_id FROM device_jobs WHERE job_id = $1 AND status = 'retrying' AND retry_at <= $3 ORDER BY retry_at, seq LIMIT $4)
      RETURNING device_id, attempts, seq`,
    finish,
    // Devices that waited for their device are counted by the wait (src/registry/device-waits.ts).
    countBatch: `SELECT status, failure, count(*) AS n FROM device_jobs WHERE job_id = $1 AND claim = $2 AND wait_until IS NULL GROUP BY status, failure`,
    queue: `SELECT count(*) AS n, min(retry_at) AS next FROM device_jobs WHERE job_id = $1 AND status = 'retrying'`,
  };
}

const FAILURE_KINDS: readonly FailureKind[] = ['offline', 'timedOut', 'errorStatus', 'other'];
const failureKind = (value: string | null): FailureKind | undefined => FAILURE_KINDS.find((kind) => kind === value);

/** The rollout half of the job records (SQLite and PostgreSQL alike). */
export class SqlRolloutRecords implements RolloutRecordStore {
  private readonly sql: ReturnType<typeof rolloutSql>;

  constructor(private readonly db: SqlDriver) {
    this.sql = rolloutSql(db.dialect);
  }

  async claimRolloutDevices(jobId: string, claim: RolloutClaim, count: number, at: string): Promise<ClaimedDevice[]> {
    const rows = await this.db.transaction(async (tx): Promise<Array<{ device_id: string; attempts: number | string; seq: number | string }>> => {
      if ('range' in claim) return tx.query(this.sql.claimRange, [jobId, claim.token, claim.range.from, claim.range.to, at, count]);
      const [taken] = await tx.query<{ n: number | string }>(this.sql.claimedUnder, [jobId, claim.token]);
      const left = Math.min(count, claim.limit - Number(taken?.n ?? 0));
      return left > 0 ? tx.query(this.sql.claimDue, [jobId, claim.token, claim.dueBefore, left, at]) : [];
    });
    return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map((row) => ({ deviceId: row.device_id, attempt: Number(row.attempts) }));
  }

  async runningRolloutDevices(jobId: string, token: string): Promise<string[]> {
    return (await this.db.query<{ device_id: string }>(this.sql.interrupted, [jobId, token])).map((row) => row.device_id);
  }

  finishRolloutDevices(jobId: string, outcomes: readonly RolloutOutcome[], at: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      let changed = 0;
      for (const outcome of outcomes) changed += await this.finishOne(tx, jobId, outcome, at);
      return changed;
    });
  }

  private finishOne(tx: SqlSession, jobId: string, outcome: RolloutOutcome, at: string): Promise<number> {
    const result = outcome.status === 'completed' ? { outcome: { deviceMethodResponse: outcome.methodResponse } } : { error: outcome.error };
    const retrying = outcome.retryAt !== undefined;
    const patch = { status: retrying ? 'pending' : outcome.status, lastUpdatedDateTimeUtc: at, ...(!retrying && { endTimeUtc: at }), ...result };
    const column = retrying ? 'retrying' : outcome.status;
    return tx.execute(this.sql.finish(Object.keys(patch)), [
      jobId,
      outcome.deviceId,
      column,
      retrying ? null : (outcome.failure ?? null),
      outcome.retryAt ?? null,
      JSON.stringify(patch),
    ]);
  }

  async countRolloutBatch(jobId: string, token: string): Promise<RolloutBatchCounts> {
    const counts: RolloutBatchCounts = { succeeded: 0, failed: 0, failures: noFailures(), retrying: 0 };
    const rows = await this.db.query<{ status: string; failure: string | null; n: number | string }>(this.sql.countBatch, [jobId, token]);
    for (const row of rows) {
      const n = Number(row.n);
      if (row.status === 'completed') counts.succeeded += n;
      else if (row.status === 'failed' || row.status === 'canceled') counts.failed += n;
      else if (row.status === 'retrying') counts.retrying += n;
      const failure = failureKind(row.failure);
      if (failure && (row.status === 'completed' || row.status === 'failed')) counts.failures[failure] += n;
    }
    return counts;
  }

  async retryQueue(jobId: string): Promise<RetryQueue> {
    const [row] = await this.db.query<{ n: number | string; next: string | null }>(this.sql.queue, [jobId]);
    const waiting = Number(row?.n ?? 0);
    return waiting > 0 && row?.next ? { waiting, nextAt: row.next } : { waiting };
  }
}
