import { resourceCommand } from '../resource-command.js';
import { jobPath } from '../resources.js';

export const jobShow = resourceCommand({
  name: 'job show',
  summary: 'print a job: status, times and device statistics',
  arg: '<jobId>',
  path: jobPath,
});
