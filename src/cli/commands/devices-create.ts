import { requiredArg, stringOption, UsageError, type Command } from '../command.js';
import { devicePath, type DeviceJson } from '../resources.js';

export const devicesCreate: Command = {
  name: 'devices create',
  summary: 'register a device (symmetric keys generated unless given); prints it, and its connection string on stderr',
  args: '<deviceId>',
  options: {
    disabled: { type: 'boolean', description: 'create it disabled (it cannot connect)' },
    'primary-key': { type: 'string', value: 'base64', description: 'primary symmetric key' },
    'secondary-key': { type: 'string', value: 'base64', description: 'secondary symmetric key' },
  },
  async run(context) {
    const deviceId = requiredArg(context, 0, '<deviceId>');
    const primaryKey = stringOption(context, 'primary-key');
    const secondaryKey = stringOption(context, 'secondary-key');
    if ((primaryKey === undefined) !== (secondaryKey === undefined)) throw new UsageError('give both --primary-key and --secondary-key, or neither');
    const body = {
      deviceId,
      status: context.values.disabled ? 'disabled' : 'enabled',
      ...(primaryKey === undefined ? {} : { authentication: { type: 'sas', symmetricKey: { primaryKey, secondaryKey } } }),
    };
    const { body: device } = await context.client().request<DeviceJson>('PUT', devicePath(deviceId), { body });
    context.out.json(device);
    const { connection, mqttsPort } = context.target();
    const key = device.authentication?.symmetricKey?.primaryKey;
    if (key) {
      const gateway = mqttsPort === 8883 ? '' : `;GatewayHostName=${connection.hostName}:${mqttsPort}`;
      context.out.note(`Device connection string: HostName=${connection.hostName};DeviceId=${deviceId};SharedAccessKey=${key}${gateway}`);
    }
  },
};
