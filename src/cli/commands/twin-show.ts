import { resourceCommand } from '../resource-command.js';
import { twinPath } from '../resources.js';

export const twinShow = resourceCommand({
  name: 'twin show',
  summary: "print a device's twin (tags, desired and reported properties)",
  arg: '<deviceId>',
  path: twinPath,
});
