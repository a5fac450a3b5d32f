import { requiredArg, type Command } from '../command.js';
import { twinPath } from '../resources.js';
import { integerOption, jsonOption } from '../values.js';

export const methodInvoke: Command = {
  name: 'method invoke',
  summary: "call a direct method on a connected device; prints the device's {status, payload}",
  args: '<deviceId> <methodName>',
  options: {
    payload: { type: 'string', value: 'json', description: 'the request payload (default null)' },
    timeout: { type: 'string', value: 'seconds', description: 'how long to wait for the answer, 5-300 (default 30)' },
    'connect-timeout': { type: 'string', value: 'seconds', description: 'how long to wait for an offline device to connect, 0-300 (default 0)' },
  },
  async run(context) {
    const deviceId = requiredArg(context, 0, '<deviceId>');
    const body = {
      methodName: requiredArg(context, 1, '<methodName>'),
      payload: jsonOption(context, 'payload') ?? null,
      responseTimeoutInSeconds: integerOption(context, 'timeout', { min: 5, max: 300 }) ?? 30,
      connectTimeoutInSeconds: integerOption(context, 'connect-timeout', { min: 0, max: 300 }) ?? 0,
    };
    const { body: result } = await context.client().request('POST', `${twinPath(deviceId)}/methods`, { body });
    context.out.json(result);
  },
};
