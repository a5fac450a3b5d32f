import { describe } from 'node:test';
import Database from 'better-sqlite3';
import { defineQueryProperties, type QueryDatabase } from './query-properties.js';

/** An in-memory SQLite database with the stores' table shapes (JSON as TEXT). */
function sqliteDatabase(): QueryDatabase {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE devices (device_id TEXT PRIMARY KEY, twin TEXT NOT NULL);
    CREATE TABLE device_jobs (job_id TEXT NOT NULL, device_id TEXT NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (job_id, device_id));`);
  const insertDevice = db.prepare('INSERT INTO devices (device_id, twin) VALUES (?, ?)');
  const insertJob = db.prepare('INSERT INTO device_jobs (job_id, device_id, doc) VALUES (?, ?, ?)');
  return {
    dialect: 'sqlite',
    devices: { table: 'devices', docColumn: 'twin', keyColumn: 'device_id', indexedFields: { deviceId: 'device_id' } },
    jobs: {
      table: 'device_jobs',
      docColumn: 'doc',
      keyColumn: ['job_id', 'device_id'],
      indexedFields: { jobId: 'job_id', deviceId: 'device_id' },
    },
    async load(table, documents) {
      db.transaction(() => {
        if (table === 'devices') {
          db.exec('DELETE FROM devices');
          for (const doc of documents) insertDevice.run(doc.deviceId, JSON.stringify(doc));
        } else {
          db.exec('DELETE FROM device_jobs');
          for (const doc of documents) insertJob.run(doc.jobId, doc.deviceId, JSON.stringify(doc));
        }
      })();
    },
    // The compiled SQL numbers placeholders in textual order, so `$n` → `?` keeps the binding order.
    async rows(sql, params) {
      return db.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as object[];
    },
    async close() {
      db.close();
    },
  };
}

describe('query SQL compiled for SQLite gives the reference evaluator results', () => {
  defineQueryProperties(async () => sqliteDatabase(), 400);
});
