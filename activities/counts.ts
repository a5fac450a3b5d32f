import type { DeviceJobCounts } from '../src/registry/job-records.js';
import type { BatchCounts } from '../workflows/types.js';

/** A range's final records as the workflows count them: canceled devices count as failed (spec §2.2). */
export const finalCounts = (counts: DeviceJobCounts): BatchCounts => ({
  succeeded: counts.completed,
  failed: counts.failed + counts.canceled,
});
