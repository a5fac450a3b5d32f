import { Router, type Request } from 'express';
import { z } from 'zod';
import { HubError } from '../../errors/hub-error.js';
import type { WebhookSettings } from '../../jobs/settings.js';
import { WEBHOOK_ID, webhookBody, type StoredWebhook, type Webhook } from '../../webhooks/model.js';
import type { WebhookStore } from '../../webhooks/store.js';
import { urlRefusal } from '../../webhooks/target.js';
import { requirePermission } from '../auth.js';
import { parseInput, requestBody, topParam } from '../validate.js';

export const hookIdParam = z.string().regex(WEBHOOK_ID, 'expected at most 64 ASCII letters, digits and -');

export const deliveriesQuery = z.looseObject({ top: topParam });

const hookNotFound = (id: string) => new HubError('GenericNotFound', `Hook '${id}' was not found`);
const idOf = (req: Request): string => parseInput(hookIdParam, req.params.id, 'path parameter id');
/** What the API shows of a hook: never its secret. */
const shown = ({ secret: _secret, ...webhook }: StoredWebhook): Webhook => webhook;

/**
 * Webhooks for job events (an extension of IoT Hub's API): `PUT/GET/DELETE /hooks/{id}`, `GET
 * /hooks` and `GET /hooks/{id}/deliveries` (newest first, `?top=`, default 100). Writing takes
 * RegistryWrite, reading RegistryRead. The secret is write-only.
 */
export function hooksRouter(store: WebhookStore, settings: Pick<WebhookSettings, 'allowPrivateNetworks'>): Router {
  const router = Router();
  const write = requirePermission('RegistryWrite');
  const read = requirePermission('RegistryRead');

  router.get('/hooks', read, async (_req, res) => {
    res.json((await store.listWebhooks()).map(shown));
  });

  router.get('/hooks/:id', read, async (req, res) => {
    const id = idOf(req);
    const hook = await store.getWebhook(id);
    if (!hook) throw hookNotFound(id);
    res.json(shown(hook));
  });

  router.put('/hooks/:id', write, async (req, res) => {
    const id = idOf(req);
    const body = requestBody(req, webhookBody);
    if (body.id !== undefined && body.id !== id) throw new HubError('ArgumentInvalid', `Invalid body.id: '${body.id}' does not match '${id}' in the path`);
    const refusal = urlRefusal(body.url, settings);
    if (refusal) throw new HubError('ArgumentInvalid', `Invalid body.url: ${refusal}`);
    const { webhook } = await store.putWebhook({
      id,
      url: body.url,
      events: [...new Set(body.events)],
      ...(body.jobFilter && { jobFilter: body.jobFilter }),
      secret: body.secret,
    });
    res.json(webhook);
  });

  router.delete('/hooks/:id', write, async (req, res) => {
    const id = idOf(req);
    if (!(await store.deleteWebhook(id))) throw hookNotFound(id);
    res.status(204).end();
  });

  router.get('/hooks/:id/deliveries', read, async (req, res) => {
    const id = idOf(req);
    const { top } = parseInput(deliveriesQuery, req.query, 'query');
    if (!(await store.getWebhook(id))) throw hookNotFound(id);
    res.json(await store.listWebhookDeliveries(id, top ?? 100));
  });

  return router;
}
