// Schema version 2: smaller writes per commit.
//  - History events move from one row each (`events`) to one row per commit and run
//    (`event_batches`: the events added by that commit as an encoded History message).
//  - A run's `state` no longer holds its start attributes (they are event 1) nor its memo and
//    search attributes (new column `props`): what is rewritten on every change is plain JSON
//    without payloads.
//  - A pending activity's item no longer holds its ActivityTaskScheduled attributes (they are
//    the event its key names).
import type Database from 'better-sqlite3';
import { encodeHistory } from '../grpc/history-bytes.js';
import { fromJson, toJson } from './json-codec.js';

export function eventBatchesAndSlimRecords(db: Database.Database): void {
  db.exec(`
    CREATE TABLE event_batches (
      run_pk INTEGER NOT NULL,
      first_event_id INTEGER NOT NULL,
      data BLOB NOT NULL,
      PRIMARY KEY (run_pk, first_event_id)
    ) WITHOUT ROWID;
    ALTER TABLE runs ADD COLUMN props TEXT;
  `);
  const insertBatch = db.prepare('INSERT INTO event_batches (run_pk, first_event_id, data) VALUES (?, ?, ?)');
  const eventsOf = db.prepare('SELECT event_id AS id, data FROM events WHERE run_pk = ? ORDER BY event_id');
  for (const { runPk } of db.prepare('SELECT DISTINCT run_pk AS runPk FROM events').all() as Array<{ runPk: number }>) {
    const events = eventsOf.all(runPk) as Array<{ id: number; data: Buffer }>;
    insertBatch.run(runPk, events[0].id, encodeHistory(events.map((e) => e.data)));
  }
  db.exec('DROP TABLE events');

  const updateRun = db.prepare('UPDATE runs SET state = ?, props = ? WHERE pk = ?');
  for (const row of db.prepare('SELECT pk, state FROM runs').all() as Array<{ pk: number; state: string }>) {
    const { start: _start, memo, searchAttributes, ...state } = fromJson<Record<string, unknown>>(row.state);
    updateRun.run(JSON.stringify(state), toJson({ memo, searchAttributes }), row.pk);
  }

  const updateItem = db.prepare("UPDATE run_items SET data = ? WHERE run_pk = ? AND kind = 'activity' AND key = ?");
  for (const item of db.prepare("SELECT run_pk AS runPk, key, data FROM run_items WHERE kind = 'activity'").all() as Array<{ runPk: number; key: string; data: string }>) {
    const { attrs: _attrs, ...activity } = fromJson<Record<string, unknown>>(item.data);
    updateItem.run(toJson(activity), item.runPk, item.key);
  }
}
