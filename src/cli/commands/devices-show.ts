import { resourceCommand } from '../resource-command.js';
import { devicePath } from '../resources.js';

export const devicesShow = resourceCommand({
  name: 'devices show',
  summary: 'print a device identity (status, keys, connection state)',
  arg: '<deviceId>',
  path: devicePath,
});
