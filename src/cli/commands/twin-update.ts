import { requiredArg, stringOption, UsageError, type Command } from '../command.js';
import { twinPath } from '../resources.js';
import { objectOption } from '../values.js';

export const twinUpdate: Command = {
  name: 'twin update',
  summary: 'merge tags and/or desired properties into a twin (null deletes a key); prints the twin',
  args: '<deviceId>',
  options: {
    tags: { type: 'string', value: 'json', description: 'tags to merge, e.g. \'{"building":"43"}\'' },
    desired: { type: 'string', value: 'json', description: 'desired properties to merge, e.g. \'{"interval":30}\'' },
    etag: { type: 'string', value: 'etag', description: "update only if the twin's etag is this (default: any)" },
  },
  async run(context) {
    const deviceId = requiredArg(context, 0, '<deviceId>');
    const tags = objectOption(context, 'tags');
    const desired = objectOption(context, 'desired');
    if (tags === undefined && desired === undefined) throw new UsageError('give --tags and/or --desired');
    const body = { ...(tags ? { tags } : {}), ...(desired ? { properties: { desired } } : {}) };
    const etag = stringOption(context, 'etag') ?? '*';
    const { body: twin } = await context.client().request('PATCH', twinPath(deviceId), { body, headers: { 'if-match': `"${etag}"` } });
    context.out.json(twin);
  },
};
