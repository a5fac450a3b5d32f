import type { Command } from '../command.js';
import { integerOption } from '../values.js';
import type { DeviceJson } from '../resources.js';

export const devicesList: Command = {
  name: 'devices list',
  summary: 'list device identities (a table; --json for the full records)',
  args: '',
  options: {
    top: { type: 'string', value: 'n', description: 'at most that many devices, 1-1000 (the hub returns up to 1000)' },
    json: { type: 'boolean', description: 'print the JSON array' },
  },
  async run(context) {
    const top = integerOption(context, 'top', { min: 1, max: 1000 });
    const { body: devices } = await context.client().request<DeviceJson[]>('GET', '/devices', { query: { top: top?.toString() } });
    if (context.values.json) return context.out.json(devices);
    context.out.table(
      ['DEVICE ID', 'STATUS', 'CONNECTION', 'LAST ACTIVITY'],
      devices.map((device) => [device.deviceId, device.status, device.connectionState, device.lastActivityTime]),
    );
  },
};
