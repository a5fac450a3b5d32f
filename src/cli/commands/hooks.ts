import { randomBytes } from 'node:crypto';
import { requiredArg, stringOption, UsageError, type Command } from '../command.js';
import { hookPath, type WebhookDeliveryJson, type WebhookJson } from '../resources.js';
import { integerOption } from '../values.js';
import { WEBHOOK_EVENT_TYPES } from '../../../workflows/webhook-types.js';

export const hooksAdd: Command = {
  name: 'hooks add',
  summary: 'create (or replace) a webhook for job events; prints it, and a generated secret on stderr',
  args: '<hookId>',
  options: {
    url: { type: 'string', value: 'url', description: 'where to POST the events: https, or http to loopback (required)' },
    events: {
      type: 'string',
      value: 'types',
      description: `comma-separated: ${WEBHOOK_EVENT_TYPES.join(', ')} (required)`,
    },
    'job-type': { type: 'string', value: 'type', description: 'only jobs of this type: scheduleDeviceMethod or scheduleUpdateTwin' },
    'job-id-prefix': { type: 'string', value: 'prefix', description: 'only jobs whose id starts with this' },
    secret: { type: 'string', value: 'text', description: 'the signing secret, 16-256 characters (default: a random one, printed once)' },
  },
  async run(context) {
    const id = requiredArg(context, 0, '<hookId>');
    const url = stringOption(context, 'url');
    const events = stringOption(context, 'events');
    if (!url) throw new UsageError('missing --url <url>');
    if (!events) throw new UsageError('missing --events <types>');
    const given = stringOption(context, 'secret');
    const secret = given ?? randomBytes(32).toString('base64url');
    const jobType = stringOption(context, 'job-type');
    const jobIdPrefix = stringOption(context, 'job-id-prefix');
    const body = {
      url,
      events: events
        .split(',')
        .map((type) => type.trim())
        .filter((type) => type !== ''),
      ...((jobType !== undefined || jobIdPrefix !== undefined) && { jobFilter: { jobType, jobIdPrefix } }),
      secret,
    };
    const { body: hook } = await context.client().request<WebhookJson>('PUT', hookPath(id), { body });
    context.out.json(hook);
    // The hub never shows a secret again: this is the one time it can be read.
    if (given === undefined) context.out.note(`Webhook secret (verify the webhook-signature header with it): ${secret}`);
  },
};

export const hooksList: Command = {
  name: 'hooks list',
  summary: 'list webhooks (a table; --json for the full records; secrets are never shown)',
  args: '',
  options: { json: { type: 'boolean', description: 'print the JSON array' } },
  async run(context) {
    const { body: hooks } = await context.client().request<WebhookJson[]>('GET', '/hooks');
    if (context.values.json) return context.out.json(hooks);
    context.out.table(
      ['HOOK ID', 'URL', 'EVENTS', 'JOB FILTER'],
      hooks.map((hook) => [
        hook.id,
        hook.url,
        hook.events.join(','),
        [hook.jobFilter?.jobType, hook.jobFilter?.jobIdPrefix && `${hook.jobFilter.jobIdPrefix}*`].filter(Boolean).join(' '),
      ]),
    );
  },
};

export const hooksRemove: Command = {
  name: 'hooks remove',
  summary: 'delete a webhook and its delivery history (deliveries in progress are dropped)',
  args: '<hookId>',
  options: {},
  async run(context) {
    const id = requiredArg(context, 0, '<hookId>');
    await context.client().request('DELETE', hookPath(id));
    context.out.note(`Removed webhook ${id}`);
  },
};

export const hooksDeliveries: Command = {
  name: 'hooks deliveries',
  summary: "a webhook's deliveries, last attempted first: status, attempts, the receiver's last answer",
  args: '<hookId>',
  options: {
    top: { type: 'string', value: 'n', description: 'at most that many, 1-1000 (default 100)' },
    json: { type: 'boolean', description: 'print the JSON array' },
  },
  async run(context) {
    const id = requiredArg(context, 0, '<hookId>');
    const top = integerOption(context, 'top', { min: 1, max: 1000 });
    const { body: deliveries } = await context
      .client()
      .request<WebhookDeliveryJson[]>('GET', `${hookPath(id)}/deliveries`, { query: { top: top?.toString() } });
    if (context.values.json) return context.out.json(deliveries);
    context.out.table(
      ['EVENT ID', 'TYPE', 'STATUS', 'ATTEMPTS', 'HTTP', 'LAST ATTEMPT', 'LAST ERROR'],
      deliveries.map((delivery) => [
        delivery.id,
        delivery.type,
        delivery.status,
        delivery.attempts,
        delivery.statusCode,
        delivery.lastAttemptTime,
        delivery.lastError,
      ]),
    );
  },
};
