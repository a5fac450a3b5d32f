/** The workflows of the jobs engine (the worker bundles this module). */
export { iotHubJob } from './job.js';
export { iotHubJobShard } from './shard.js';
export { iotHubJobOfflineWait } from './offline-wait.js';
export { deviceConfiguration } from './configuration.js';
export { webhookDelivery } from './webhook-delivery.js';
export { workerWarmUp } from './worker-warm-up.js';
