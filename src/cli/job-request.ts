import { randomBytes } from 'node:crypto';
import { stringOption, UsageError, type CommandContext, type OptionSpec } from './command.js';
import { rolloutOption, ROLLOUT_OPTIONS } from './job-rollout.js';
import { watchIntervalMs, watchJob, WATCH_OPTIONS } from './job-watch.js';
import { jobPath, type JobJson } from './resources.js';
import { integerOption } from './values.js';

/** Options every `job schedule-*` command takes. */
export const SCHEDULE_OPTIONS: Record<string, OptionSpec> = {
  'job-id': { type: 'string', value: 'id', description: 'the job id (letters, digits, -; default generated)' },
  query: {
    type: 'string',
    value: 'condition',
    description: 'which devices: a WHERE condition on their twins, e.g. "tags.building = \'43\'" (default * = all)',
  },
  'start-in': { type: 'string', value: 'seconds', description: 'start that many seconds from now (default now)' },
  'start-time': { type: 'string', value: 'time', description: 'start at an ISO-8601 time (default now)' },
  'max-execution-time': { type: 'string', value: 'seconds', description: 'stop after running that long; unfinished devices fail (default 3600)' },
  ...ROLLOUT_OPTIONS,
  watch: { type: 'boolean', description: 'then follow its progress until it ends (as job watch)' },
  ...WATCH_OPTIONS,
};

const newJobId = () => `job-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '')}-${randomBytes(3).toString('hex')}`;

function startTime(context: CommandContext): string | null {
  const startIn = integerOption(context, 'start-in', { min: 0, max: 365 * 24 * 3600 });
  const at = stringOption(context, 'start-time');
  if (startIn !== undefined && at !== undefined) throw new UsageError('give --start-in or --start-time, not both');
  if (startIn !== undefined) return new Date(Date.now() + startIn * 1000).toISOString();
  if (at === undefined) return null;
  if (Number.isNaN(Date.parse(at))) throw new UsageError(`--start-time must be an ISO-8601 time such as 2030-01-01T12:00:00Z, not '${at}'`);
  return at;
}

/**
 * Submits `PUT /jobs/v2/{id}` with the common fields plus the type's own, prints the job, and with
 * --watch follows it. The exit code is the watch's, or 0.
 */
export async function scheduleJob(context: CommandContext, typeFields: { type: string } & Record<string, unknown>): Promise<number> {
  const jobId = stringOption(context, 'job-id') ?? newJobId();
  const maxExecution = integerOption(context, 'max-execution-time', { min: 0, max: 7 * 24 * 3600 });
  const intervalMs = context.values.watch ? watchIntervalMs(context) : 0;
  const rollout = rolloutOption(context);
  const body = {
    jobId,
    ...typeFields,
    queryCondition: stringOption(context, 'query') ?? '*',
    startTime: startTime(context),
    ...(maxExecution === undefined ? {} : { maxExecutionTimeInSeconds: maxExecution }),
    ...(rollout && { rollout }),
  };
  const { body: job } = await context.client().request<JobJson>('PUT', jobPath(jobId), { body });
  context.out.json(job);
  return context.values.watch ? watchJob(context, jobId, intervalMs) : 0;
}
