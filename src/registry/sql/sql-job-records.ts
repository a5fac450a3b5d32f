import { isHubError } from '../../errors/hub-error.js';
import { decodeJsonColumn } from '../json.js';
import {
  emptyDeviceJobCounts,
  OUTCOME_UNKNOWN,
  type ClaimedRecord,
  type DeviceJobCounts,
  type DeviceJobError,
  type DeviceJobOutcome,
  type DeviceJobRecord,
  type DeviceJobStatus,
  type JobRecordStore,
  type JobSnapshotRequest,
  type SeqRange,
  type TwinJobBatchResult,
} from '../job-records.js';
import type { DesiredPropertiesPatch, TwinServiceUpdate } from '../model.js';
import { applyServiceUpdate } from '../twin/service-update.js';
import type { SqlDriver, SqlSession } from './driver.js';
import { jobRecordSql, type RecordPatchRow } from './job-record-sql.js';

/** Fields merged into a record's document (the status column is written alongside). */
type RecordPatch = Partial<Omit<DeviceJobRecord, 'deviceId' | 'jobId' | 'jobType'>> & { status: DeviceJobStatus };

/** The status column of a record waiting for a retry (see rollout-records.ts). */
const RETRYING = 'retrying';

/** Jobs purged per statement batch, so a purge never holds one huge transaction. */
const PURGE_BATCH = 20;

function outcomePatch(outcome: DeviceJobOutcome, at: string): RecordPatch & Record<string, unknown> {
  const base = { status: outcome.status, endTimeUtc: at, lastUpdatedDateTimeUtc: at };
  return outcome.status === 'completed' ? { ...base, outcome: { deviceMethodResponse: outcome.methodResponse } } : { ...base, error: outcome.error };
}

/** Why a device of a twin job failed: a HubError's code and text; anything else is the store's fault. */
function twinFailure(err: unknown): DeviceJobError {
  if (isHubError(err)) return { code: err.code, description: err.message };
  throw err;
}

/** A job's last snapshot record, and the creation time of the job that made it. */
interface LastRecord {
  device_id: string;
  seq: number | string;
  created: string;
}

/** The job-record half of SqlHubStore (see JobRecordStore). */
export class SqlJobRecords implements JobRecordStore {
  private readonly q: ReturnType<typeof jobRecordSql>;

  constructor(private readonly db: SqlDriver) {
    this.q = jobRecordSql(db.dialect);
  }

  snapshotJobDevices(job: JobSnapshotRequest, limit: number): Promise<{ added: number; total: number }> {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`Snapshot limit must be a positive integer, got ${limit}`);
    const statement = this.q.snapshotStatement(job.queryCondition, limit);
    return this.db.transaction(async (tx) => {
      let last: LastRecord | undefined = (await tx.query<LastRecord>(this.q.sql.lastRecorded, [job.jobId]))[0];
      if (last && last.created !== job.createdTime) {
        // An earlier job with this id, which Temporal no longer knows (its retention was shorter
        // than the store's): its records and result are not this job's.
        await this.forgetJob(tx, job.jobId);
        last = undefined;
      }
      const firstSeq = last ? Number(last.seq) + 1 : 0;
      const { sql, params } = statement({ jobId: job.jobId, firstSeq, jobType: job.jobType, created: job.createdTime, after: last?.device_id ?? '' });
      const inserted = await tx.query(sql, params, { prepare: false });
      return { added: inserted.length, total: firstSeq + inserted.length };
    });
  }

  async claimDeviceJobs(jobId: string, range: SeqRange, at: string, limit: number): Promise<ClaimedRecord[]> {
    const patch: RecordPatch = { status: 'running', startTimeUtc: at, lastUpdatedDateTimeUtc: at };
    const rows = await this.db.query<{ device_id: string; seq: number | string }>(this.q.sql.claimFirst, [
      jobId,
      range.from,
      range.to,
      JSON.stringify(patch),
      limit,
    ]);
    return rows.map((row) => ({ deviceId: row.device_id, seq: Number(row.seq) })).sort((a, b) => a.seq - b.seq);
  }

  closeRunningDeviceJobs(jobId: string, range: SeqRange, at: string): Promise<number> {
    const patch: RecordPatch = { status: 'failed', error: OUTCOME_UNKNOWN, endTimeUtc: at, lastUpdatedDateTimeUtc: at };
    return this.db.execute(this.q.sql.closeRunningInRange, [jobId, range.from, range.to, JSON.stringify(patch)]);
  }

  finishDeviceJobs(jobId: string, outcomes: readonly DeviceJobOutcome[], at: string): Promise<number> {
    const rows = outcomes.map((outcome): RecordPatchRow => [outcome.deviceId, outcomePatch(outcome, at)]);
    return this.db.transaction((tx) => this.q.finishRecords(tx, jobId, rows));
  }

  applyTwinJobBatch(jobId: string, range: SeqRange, update: TwinServiceUpdate, at: string): Promise<TwinJobBatchResult> {
    return this.db.transaction(async (tx) => {
      const twinWrites: Array<readonly [string, string]> = [];
      const failures: DeviceJobOutcome[] = [];
      const desiredChanges: DesiredPropertiesPatch[] = [];
      for (const { deviceId, twin } of await this.q.pendingTwins(tx, jobId, range)) {
        if (!twin) {
          failures.push({ deviceId, status: 'failed', error: { code: 'DeviceNotFound', description: `Device '${deviceId}' was not found` } });
          continue;
        }
        try {
          const { twin: next, desiredPatch } = applyServiceUpdate(twin, update, 'patch', at);
          if (next !== twin) twinWrites.push([deviceId, JSON.stringify(next)]);
          if (desiredPatch) desiredChanges.push({ deviceId, patch: desiredPatch, version: next.properties.desired.$version });
        } catch (err) {
          failures.push({ deviceId, status: 'failed', error: twinFailure(err) });
        }
      }
      await this.q.writeTwins(tx, twinWrites);
      const failedRows = failures.map((f): RecordPatchRow => [f.deviceId, { startTimeUtc: at, ...outcomePatch(f, at) }]);
      await this.q.finishRecords(tx, jobId, failedRows);
      const succeeded = await tx.execute(this.q.sql.completeTwinRange, [jobId, range.from, range.to, at]);
      return { succeeded, failed: failures.length, desiredChanges };
    });
  }

  closeUnprocessedDeviceJobs(
    jobId: string,
    close: { pending: { status: 'canceled' } | { status: 'failed'; error: DeviceJobError } },
    at: string,
  ): Promise<number> {
    const ended = { endTimeUtc: at, lastUpdatedDateTimeUtc: at };
    const pendingPatch: RecordPatch = { ...close.pending, ...ended };
    const runningPatch: RecordPatch = { status: 'failed', error: OUTCOME_UNKNOWN, ...ended };
    return this.db.transaction(async (tx) => {
      const closePending = this.q.closePendingStatement(Object.keys(pendingPatch));
      const pending = await tx.execute(closePending, [jobId, close.pending.status, JSON.stringify(pendingPatch)]);
      const running = await tx.execute(this.q.sql.closeRunning, [jobId, JSON.stringify(runningPatch)]);
      return pending + running;
    });
  }

  async countDeviceJobs(jobId: string, range?: SeqRange): Promise<DeviceJobCounts> {
    const rows = range
      ? await this.db.query<{ status: DeviceJobStatus | typeof RETRYING; n: number | string }>(this.q.sql.countRange, [jobId, range.from, range.to])
      : await this.db.query<{ status: DeviceJobStatus | typeof RETRYING; n: number | string }>(this.q.sql.countJob, [jobId]);
    const counts = emptyDeviceJobCounts();
    // A device waiting for a retry (status column 'retrying') is pending in its devices.jobs row.
    for (const row of rows) {
      const status = row.status === RETRYING ? 'pending' : row.status;
      if (status in counts) counts[status] += Number(row.n);
    }
    return counts;
  }

  async saveFinishedJob(jobId: string, response: object, finishedAt: string): Promise<void> {
    await this.db.execute(this.q.sql.saveFinished, [jobId, finishedAt, JSON.stringify(response)]);
  }

  async getFinishedJob(jobId: string): Promise<object | undefined> {
    const [row] = await this.db.query<{ response: unknown }>(this.q.sql.getFinished, [jobId]);
    return row && decodeJsonColumn<object>(row.response);
  }

  async purgeFinishedJobs(finishedBefore: string): Promise<{ jobs: number; records: number }> {
    const purged = { jobs: 0, records: 0 };
    for (;;) {
      const expired = await this.db.query<{ job_id: string }>(this.q.sql.expiredJobs, [finishedBefore, PURGE_BATCH]);
      for (const { job_id: jobId } of expired) {
        purged.records += await this.db.transaction((tx) => this.forgetJob(tx, jobId));
        purged.jobs += 1;
      }
      if (expired.length < PURGE_BATCH) return purged;
    }
  }

  /** Deletes a job's records and its kept result; returns how many records. */
  private async forgetJob(tx: SqlSession, jobId: string): Promise<number> {
    const records = await tx.execute(this.q.sql.deleteRecords, [jobId]);
    await tx.execute(this.q.sql.deleteFinished, [jobId]);
    return records;
  }
}
