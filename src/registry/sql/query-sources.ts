import type { Collection, QuerySource } from '../../query/index.js';

/**
 * How the hub's queryable collections are stored (the contract in src/query/index.ts): twins in
 * devices.twin keyed by device_id, device-job records in device_jobs.doc keyed by (job_id,
 * device_id), module twins in modules.twin keyed by (device_id, module_id). The jobs engine uses
 * the same sources with compileCondition / compileMatchingKeys.
 */
export const QUERY_SOURCES: Readonly<Record<Collection, QuerySource>> = {
  devices: { table: 'devices', docColumn: 'twin', keyColumn: 'device_id', indexedFields: { deviceId: 'device_id' } },
  'devices.jobs': {
    table: 'device_jobs',
    docColumn: 'doc',
    keyColumn: ['job_id', 'device_id'],
    indexedFields: { jobId: 'job_id', deviceId: 'device_id' },
  },
  'devices.modules': {
    table: 'modules',
    docColumn: 'twin',
    keyColumn: ['device_id', 'module_id'],
    indexedFields: { deviceId: 'device_id', moduleId: 'module_id' },
  },
};
