/** Messages of the shard workflow (iotHubJobShard). */
import { defineSignal } from '@temporalio/workflow';
import type { RolloutCommand } from './rollout-control.js';
import type { FinishedDevices } from './rollout-abort.js';

/** Stop dispatching batches; the ones in flight finish, then the shard returns. */
export const stopShardSignal = defineSignal('stop');

/** The job's rollout settings and pause, as they are now (sent on every change; plain shards heed only the pause). */
export const rolloutCommandSignal = defineSignal<[RolloutCommand]>('rolloutCommand');

/**
 * The devices that finished after waiting for their device (absolute counts, from the job's wait):
 * a rollout shard's abort criteria weigh them with its own.
 */
export const waitedOutcomesSignal = defineSignal<[FinishedDevices]>('waitedOutcomes');
