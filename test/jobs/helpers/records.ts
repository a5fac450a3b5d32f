import type { HubStore } from '../../../src/registry/store.js';
import type { DeviceJobRecord } from '../../../src/registry/job-records.js';

/** Every `devices.jobs` record of a job, through the hub's query language, by device id. */
export async function jobRecords(store: Pick<HubStore, 'query'>, jobId: string): Promise<Map<string, DeviceJobRecord>> {
  const records = new Map<string, DeviceJobRecord>();
  let continuation: string | undefined;
  do {
    const page = await store.query(`SELECT * FROM devices.jobs WHERE devices.jobs.jobId = '${jobId}'`, { pageSize: 1000, continuation });
    for (const item of page.items as DeviceJobRecord[]) records.set(item.deviceId, item);
    continuation = page.continuation;
  } while (continuation);
  return records;
}
