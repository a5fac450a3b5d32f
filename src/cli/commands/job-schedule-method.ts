import { stringOption, UsageError, type Command } from '../command.js';
import { scheduleJob, SCHEDULE_OPTIONS } from '../job-request.js';
import { integerOption, jsonOption } from '../values.js';

export const jobScheduleMethod: Command = {
  name: 'job schedule-method',
  summary: 'schedule a direct method on every device the query matches; prints the job',
  args: '',
  options: {
    method: { type: 'string', value: 'name', description: 'the method to call (required)' },
    payload: { type: 'string', value: 'json', description: 'the request payload (default null)' },
    timeout: { type: 'string', value: 'seconds', description: "how long to wait for each device's answer, 5-300 (default 30)" },
    'connect-timeout': { type: 'string', value: 'seconds', description: 'how long to wait for an offline device to connect, 0-300 (default 0)' },
    ...SCHEDULE_OPTIONS,
  },
  async run(context) {
    const methodName = stringOption(context, 'method');
    if (!methodName) throw new UsageError('missing --method <name>');
    return scheduleJob(context, {
      type: 'scheduleDeviceMethod',
      cloudToDeviceMethod: {
        methodName,
        payload: jsonOption(context, 'payload') ?? null,
        responseTimeoutInSeconds: integerOption(context, 'timeout', { min: 5, max: 300 }) ?? 30,
        connectTimeoutInSeconds: integerOption(context, 'connect-timeout', { min: 0, max: 300 }) ?? 0,
      },
    });
  },
};
