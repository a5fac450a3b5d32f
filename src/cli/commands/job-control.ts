import { requiredArg, UsageError, type Command } from '../command.js';
import { rolloutOption, ROLLOUT_OPTIONS } from '../job-rollout.js';
import { resourceCommand } from '../resource-command.js';
import { jobPath } from '../resources.js';
import { integerOption } from '../values.js';

export const jobPause = resourceCommand({
  name: 'job pause',
  summary: 'pause a job: no device is started until resume (devices in flight finish); prints it',
  arg: '<jobId>',
  method: 'POST',
  path: (jobId) => `${jobPath(jobId)}/pause`,
});

export const jobResume = resourceCommand({
  name: 'job resume',
  summary: 'resume a paused job where it stopped, at its rate; prints it',
  arg: '<jobId>',
  method: 'POST',
  path: (jobId) => `${jobPath(jobId)}/resume`,
});

export const jobEdit: Command = {
  name: 'job edit',
  summary:
    "change a running or scheduled rollout job's rate, ramp, abort criteria, retries or offline wait (for the devices not started yet), or any job's time limit; prints it",
  args: '<jobId>',
  options: {
    ...ROLLOUT_OPTIONS,
    'max-execution-time': { type: 'string', value: 'seconds', description: "the new time limit, counted from the job's start" },
  },
  async run(context) {
    const jobId = requiredArg(context, 0, '<jobId>');
    const rollout = rolloutOption(context);
    const maxExecution = integerOption(context, 'max-execution-time', { min: 1, max: 7 * 24 * 3600 });
    if (!rollout && maxExecution === undefined)
      throw new UsageError('give what to change: --rate, --ramp, --abort, --retries, --wait-offline or --max-execution-time');
    const body = { ...(rollout && { rollout }), ...(maxExecution !== undefined && { maxExecutionTimeInSeconds: maxExecution }) };
    const { body: job } = await context.client().request('PATCH', jobPath(jobId), { body });
    context.out.json(job);
  },
};
