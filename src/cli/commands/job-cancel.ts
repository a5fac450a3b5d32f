import { resourceCommand } from '../resource-command.js';
import { jobPath } from '../resources.js';

export const jobCancel = resourceCommand({
  name: 'job cancel',
  summary: 'cancel a job (a running job stops dispatching; finished jobs stay as they are); prints it',
  arg: '<jobId>',
  method: 'POST',
  path: (jobId) => `${jobPath(jobId)}/cancel`,
});
