import { requiredArg, type Command } from '../command.js';
import { integerOption } from '../values.js';

export const query: Command = {
  name: 'query',
  summary: 'run an IoT Hub query over devices or devices.jobs; prints the rows as a JSON array (every page)',
  args: '<query>',
  options: {
    'page-size': { type: 'string', value: 'n', description: 'rows per request, 1-1000 (default 100)' },
    max: { type: 'string', value: 'n', description: 'stop after that many rows' },
  },
  async run(context) {
    const rows = await context.client().pages('POST', '/devices/query', {
      body: { query: requiredArg(context, 0, '<query>') },
      pageSize: integerOption(context, 'page-size', { min: 1, max: 1000 }) ?? 100,
      limit: integerOption(context, 'max', { min: 1, max: Number.MAX_SAFE_INTEGER }),
    });
    context.out.json(rows);
  },
};
