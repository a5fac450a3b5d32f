// Schedules in SQLite: one row per schedule holding its record as JSON, written in the
// committer's transaction with the engine's changes (so a started workflow and the schedule's
// note of it are durable together).
import type Database from 'better-sqlite3';
import type { CommitParticipant, Committer } from '../persistence/committer.js';
import { jsonCodec } from '../persistence/json-codec.js';
import { runMigrations, type Migration } from '../persistence/run-migrations.js';
import { preparedCommand, preparedQuery } from '../persistence/statements.js';
import type { ScheduleRecord } from './types.js';

// Each entry brings the schema from version i to i+1. Never edit a released entry; append.
const MIGRATIONS: Migration[] = [
  `
  CREATE TABLE schedules (
    namespace TEXT NOT NULL,
    schedule_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (namespace, schedule_id)
  ) WITHOUT ROWID;
  `,
];

const codec = jsonCodec<ScheduleRecord>();

export class ScheduleStore implements CommitParticipant {
  private readonly upsert;
  private readonly remove;
  private readonly selectAll;
  /** Changed since the last commit: the record to write, or undefined to delete. */
  private readonly dirty = new Map<string, { namespace: string; scheduleId: string; record?: ScheduleRecord }>();

  constructor(
    db: Database.Database,
    private readonly committer: Committer,
  ) {
    runMigrations(db, 'schedules_schema', MIGRATIONS, 'schedules schema');
    this.upsert = preparedCommand<[namespace: string, scheduleId: string, data: string]>(
      db,
      'INSERT INTO schedules (namespace, schedule_id, data) VALUES (?, ?, ?) ON CONFLICT (namespace, schedule_id) DO UPDATE SET data = excluded.data',
    );
    this.remove = preparedCommand<[namespace: string, scheduleId: string]>(db, 'DELETE FROM schedules WHERE namespace = ? AND schedule_id = ?');
    this.selectAll = preparedQuery<[], { data: string }>(db, 'SELECT data FROM schedules ORDER BY namespace, schedule_id');
  }

  /** Every stored schedule. */
  load(): ScheduleRecord[] {
    return this.selectAll.all().map((row) => codec.decode(row.data));
  }

  /** Writes the record with the current turn's commit. */
  save(record: ScheduleRecord): void {
    this.dirty.set(key(record.namespace, record.scheduleId), { namespace: record.namespace, scheduleId: record.scheduleId, record });
    this.committer.enlist(this);
  }

  delete(namespace: string, scheduleId: string): void {
    this.dirty.set(key(namespace, scheduleId), { namespace, scheduleId });
    this.committer.enlist(this);
  }

  write(): void {
    for (const { namespace, scheduleId, record } of this.dirty.values()) {
      if (record) this.upsert.run(namespace, scheduleId, codec.encode(record));
      else this.remove.run(namespace, scheduleId);
    }
    this.dirty.clear();
  }
}

export const key = (namespace: string, scheduleId: string) => `${namespace}\u0000${scheduleId}`;
