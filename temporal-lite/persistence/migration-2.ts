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
import { preparedCommand, preparedQuery } from './statements.js';

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
  const insertBatch = preparedCommand<[runPk: number, firstEventId: number, data: Buffer]>(
    db,
    'INSERT INTO event_batches (run_pk, first_event_id, data) VALUES (?, ?, ?)',
  );
  const eventsOf = preparedQuery<[runPk: number], { id: number; data: Buffer }>(
    db,
    'SELECT event_id AS id, data FROM events WHERE run_pk = ? ORDER BY event_id',
  );
  for (const { runPk } of preparedQuery<[], { runPk: number }>(db, 'SELECT DISTINCT run_pk AS runPk FROM events').all()) {
    const events = eventsOf.all(runPk);
    insertBatch.run(runPk, events[0].id, encodeHistory(events.map((event) => event.data)));
  }
  db.exec('DROP TABLE events');

  const updateRun = preparedCommand<[state: string, props: string, pk: number]>(db, 'UPDATE runs SET state = ?, props = ? WHERE pk = ?');
  for (const row of preparedQuery<[], { pk: number; state: string }>(db, 'SELECT pk, state FROM runs').all()) {
    const { start: _start, memo, searchAttributes, ...state } = fromJson<Record<string, unknown>>(row.state);
    updateRun.run(JSON.stringify(state), toJson({ memo, searchAttributes }), row.pk);
  }

  const updateItem = preparedCommand<[data: string, runPk: number, key: string]>(
    db,
    "UPDATE run_items SET data = ? WHERE run_pk = ? AND kind = 'activity' AND key = ?",
  );
  const activityItems = preparedQuery<[], { runPk: number; key: string; data: string }>(
    db,
    "SELECT run_pk AS runPk, key, data FROM run_items WHERE kind = 'activity'",
  );
  for (const item of activityItems.all()) {
    const { attrs: _attrs, ...activity } = fromJson<Record<string, unknown>>(item.data);
    updateItem.run(toJson(activity), item.runPk, item.key);
  }
}
