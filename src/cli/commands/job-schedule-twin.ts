import { UsageError, type Command } from '../command.js';
import { scheduleJob, SCHEDULE_OPTIONS } from '../job-request.js';
import { objectOption } from '../values.js';

export const jobScheduleTwin: Command = {
  name: 'job schedule-twin',
  summary: 'schedule a twin update (tags and/or desired properties) on every device the query matches; prints the job',
  args: '',
  options: {
    tags: { type: 'string', value: 'json', description: 'tags to merge' },
    desired: { type: 'string', value: 'json', description: 'desired properties to merge (connected devices are notified)' },
    ...SCHEDULE_OPTIONS,
  },
  async run(context) {
    const tags = objectOption(context, 'tags');
    const desired = objectOption(context, 'desired');
    if (tags === undefined && desired === undefined) throw new UsageError('give --tags and/or --desired');
    return scheduleJob(context, {
      type: 'scheduleUpdateTwin',
      updateTwin: { etag: '*', ...(tags ? { tags } : {}), ...(desired ? { properties: { desired } } : {}) },
    });
  },
};
