/** Messages of the shard workflow (iotHubJobShard). */
import { defineSignal } from '@temporalio/workflow';

/** Stop dispatching batches; the ones in flight finish, then the shard returns. */
export const stopShardSignal = defineSignal('stop');
