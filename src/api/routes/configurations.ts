import { Router } from 'express';
import { z } from 'zod';
import { HubError } from '../../errors/hub-error.js';
import type { Logger } from '../../logger.js';
import { desiredPatchOf, validateConfigurationId, type Configuration, type ConfigurationInput } from '../../registry/configuration/model.js';
import type { HubEvents } from '../../registry/events.js';
import type { HubStore } from '../../registry/store.js';
import { requirePermission } from '../auth.js';
import { notifyAfterCommit } from '../notify.js';
import { deviceIdParam, jsonObject, parseInput, requestBody } from '../validate.js';

/** What the routes need from the configurations' workflows (started and signalled through Temporal). */
export interface ConfigurationWorkflows {
  /** The configuration was created or replaced: (re)start its evaluation. */
  changed(configurationId: string): Promise<void>;
  /** The configuration is gone: its workflow ends at its next evaluation. */
  deleted(configurationId: string): Promise<void>;
}

export const configurationBody = z.looseObject({
  id: z.string().nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
  content: z.looseObject({ deviceContent: jsonObject.nullish(), moduleContent: jsonObject.nullish(), modulesContent: jsonObject.nullish() }).nullish(),
  targetCondition: z.string().nullish(),
  priority: z.number().nullish(),
  metrics: z.looseObject({ queries: z.record(z.string(), z.string()).nullish() }).nullish(),
});

export const configurationsListQuery = z.looseObject({
  top: z.string().regex(/^\d+$/, 'expected a whole number').transform(Number).optional(),
});

export const contentBody = z.looseObject({ deviceContent: jsonObject.nullish(), modulesContent: jsonObject.nullish(), moduleContent: jsonObject.nullish() });

function toInput(id: string, body: z.infer<typeof configurationBody>): ConfigurationInput {
  if (body.id && body.id !== id) throw new HubError('ArgumentInvalid', `id '${body.id}' in the body does not match '${id}' in the path`);
  return {
    id,
    labels: body.labels ?? undefined,
    content: body.content
      ? {
          deviceContent: body.content.deviceContent ?? undefined,
          moduleContent: body.content.moduleContent ?? undefined,
          modulesContent: body.content.modulesContent ?? undefined,
        }
      : undefined,
    targetCondition: body.targetCondition ?? undefined,
    priority: body.priority ?? undefined,
    metrics: { queries: body.metrics?.queries ?? undefined },
  };
}

/** How many rows a query returns over all its pages. */
async function countRows(store: HubStore, text: string): Promise<number> {
  let count = 0;
  let continuation: string | undefined;
  do {
    const page = await store.query(text, { pageSize: 1000, continuation });
    count += page.items.length;
    continuation = page.continuation;
  } while (continuation !== undefined);
  return count;
}

/**
 * The metrics as of now: system metrics (targeted, applied: targeted twins holding this configuration
 * at its etag) and each custom metric query's row count, evaluated on demand as IoT Hub reports them.
 */
async function withMetrics(store: HubStore, configuration: Configuration): Promise<Configuration> {
  let targeted = 0;
  let applied = 0;
  if (configuration.targetCondition !== '') {
    const holding = await store.appliedTargets(configuration.id, configuration.etag);
    let after: string | undefined;
    for (;;) {
      const targets = await store.matchingTargets(configuration.targetCondition, after, 1000);
      if (targets.length === 0) break;
      targeted += targets.length;
      applied += targets.filter((target) => holding.has(target)).length;
      after = targets.at(-1);
    }
  }
  const results: Record<string, number> = {};
  for (const [name, text] of Object.entries(configuration.metrics.queries)) {
    results[name] = await countRows(store, text).catch(() => 0); // a metric query that no longer runs counts nothing
  }
  const collection = configuration.content.moduleContent ? 'devices.modules' : 'devices';
  return {
    ...configuration,
    systemMetrics: {
      results: { targetedCount: targeted, appliedCount: applied },
      queries: {
        targetedCount: `select deviceId from ${collection} where ${configuration.targetCondition || 'false'}`,
        appliedCount: `select deviceId from ${collection} where ${configuration.targetCondition || 'false'} and configurations.[[${configuration.id}]].status = 'Applied'`,
      },
    },
    metrics: { ...configuration.metrics, results },
  };
}

/**
 * Automatic device configurations: `PUT /configurations/{id}` (create; with If-Match replace, `*`
 * forcing), `GET /configurations/{id}` (with metrics evaluated now), `GET /configurations[?top=]`,
 * `DELETE /configurations/{id}`, and `POST /devices/{id}/applyConfigurationContent` (content applied
 * to one device's twin, or its modules' with modulesContent, at once).
 */
export function configurationsRouter(store: HubStore, workflows: ConfigurationWorkflows, events: HubEvents, log: Logger): Router {
  const router = Router();
  const idParam = (value: unknown): string => {
    const id = parseInput(z.string(), value, 'path parameter id');
    validateConfigurationId(id);
    return id;
  };

  router.get('/configurations', requirePermission('RegistryRead'), async (req, res) => {
    const { top } = parseInput(configurationsListQuery, req.query, 'query');
    res.json(await store.listConfigurations(Math.min(top ?? 20, 1000)));
  });

  router.get('/configurations/:id', requirePermission('RegistryRead'), async (req, res) => {
    const id = idParam(req.params.id);
    const configuration = await store.getConfiguration(id);
    if (!configuration) throw new HubError('ConfigurationNotFound', `Configuration '${id}' was not found`);
    res.set('ETag', `"${configuration.etag}"`).json(await withMetrics(store, configuration));
  });

  router.put('/configurations/:id', requirePermission('RegistryWrite'), async (req, res) => {
    const input = toInput(idParam(req.params.id), requestBody(req, configurationBody));
    const ifMatch = req.get('if-match');
    const configuration = ifMatch === undefined ? await store.createConfiguration(input) : await store.replaceConfiguration(input, ifMatch);
    // Committed first: a failure to reach Temporal here is repaired by the next twin change's signal-with-start.
    await workflows
      .changed(configuration.id)
      .catch((err: unknown) => log.error({ err, configurationId: configuration.id }, `Starting configuration '${configuration.id}' failed`));
    res.set('ETag', `"${configuration.etag}"`).json(configuration);
  });

  router.delete('/configurations/:id', requirePermission('RegistryWrite'), async (req, res) => {
    const id = idParam(req.params.id);
    await store.deleteConfiguration(id, req.get('if-match'));
    await workflows.deleted(id).catch((err: unknown) => log.error({ err, configurationId: id }, `Ending configuration '${id}' failed`));
    res.status(204).end();
  });

  router.post('/devices/:id/applyConfigurationContent', requirePermission('RegistryWrite'), async (req, res) => {
    const deviceId = deviceIdParam(req);
    const content = requestBody(req, contentBody);
    if (!(await store.getDevice(deviceId))) throw new HubError('DeviceNotFound', `Device '${deviceId}' was not found`);
    const modules = Object.entries(content.modulesContent ?? {});
    for (const [moduleId] of modules) {
      if (!(await store.getModule(deviceId, moduleId))) throw new HubError('ModuleNotFound', `Module '${moduleId}' on device '${deviceId}' was not found`);
    }
    const changes = [];
    if (content.deviceContent) {
      changes.push((await store.updateTwin(deviceId, { desired: desiredPatchOf(content.deviceContent) }, { mode: 'patch' })).desiredChange);
    }
    for (const [moduleId, moduleContent] of modules) {
      const section = parseInput(jsonObject, moduleContent, `modulesContent.${moduleId}`);
      const desired = parseInput(jsonObject, section['properties.desired'] ?? {}, `modulesContent.${moduleId}['properties.desired']`);
      changes.push((await store.updateModuleTwin(deviceId, moduleId, { desired }, { mode: 'patch' })).desiredChange);
    }
    for (const change of changes)
      if (change) notifyAfterCommit(log, `Desired-property notification for '${change.deviceId}'`, () => events.onDesiredChange(change));
    res.status(200).json({});
  });

  return router;
}
