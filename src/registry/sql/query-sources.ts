import type { Collection, QuerySource } from '../../query/index.js';

/**
 * How the hub's queryable collections are stored (the contract in src/query/index.ts): twins in
 * devices.twin keyed by device_id, device-job records in device_jobs.doc keyed by (job_id,
 * device_id). The jobs engine uses the same sources with compileCondition / compileMatchingKeys.
 * `devices.modules` has none: this hub has no module identities, so that collection is empty.
 */
export const QUERY_SOURCES: Readonly<Record<Exclude<Collection, 'devices.modules'>, QuerySource>> = {
  devices: { table: 'devices', docColumn: 'twin', keyColumn: 'device_id', indexedFields: { deviceId: 'device_id' } },
  'devices.jobs': {
    table: 'device_jobs',
    docColumn: 'doc',
    keyColumn: ['job_id', 'device_id'],
    indexedFields: { jobId: 'job_id', deviceId: 'device_id' },
  },
};
