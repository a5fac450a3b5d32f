import { stringOption, type Command } from '../command.js';
import type { JobJson } from '../resources.js';
import { integerOption } from '../values.js';

export const jobList: Command = {
  name: 'job list',
  summary: 'list jobs, newest first (a table; --json for the full records)',
  args: '',
  options: {
    type: { type: 'string', value: 'type', description: 'only jobs of this type: scheduleDeviceMethod or scheduleUpdateTwin' },
    status: { type: 'string', value: 'status', description: 'only jobs in this status: queued, scheduled, running, completed, failed, cancelled' },
    'page-size': { type: 'string', value: 'n', description: "jobs per request, 1-1000 (default: the hub's)" },
    json: { type: 'boolean', description: 'print the JSON array' },
  },
  async run(context) {
    const jobs = await context.client().pages<JobJson>('GET', '/jobs/v2/query', {
      query: { jobType: stringOption(context, 'type'), jobStatus: stringOption(context, 'status') },
      pageSize: integerOption(context, 'page-size', { min: 1, max: 1000 }),
    });
    if (context.values.json) return context.out.json(jobs);
    context.out.table(
      ['JOB ID', 'TYPE', 'STATUS', 'DEVICES', 'SUCCEEDED', 'FAILED', 'CREATED'],
      jobs.map((job) => {
        const stats = job.deviceJobStatistics;
        return [job.jobId, job.type, job.status, stats?.deviceCount, stats?.succeededCount, stats?.failedCount, job.createdTime];
      }),
    );
  },
};
