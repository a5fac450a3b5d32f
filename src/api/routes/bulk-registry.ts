import type { Readable } from 'node:stream';
import { Router, type Response } from 'express';
import { z } from 'zod';
import { HubError, isHubError } from '../../errors/hub-error.js';
import type { Logger } from '../../logger.js';
import type { HubEvents } from '../../registry/events.js';
import type { Device, Twin } from '../../registry/model.js';
import { identityKey } from '../../registry/module/key.js';
import { IMPORT_MODES, type HubStore, type ImportMode, type RegistryOperation, type RegistryOperationResult } from '../../registry/store.js';
import { requirePermission } from '../auth.js';
import { JSON_LINES } from '../json-body.js';
import { notifyAfterCommit } from '../notify.js';
import { jsonObject, parseInput } from '../validate.js';
import { authenticationBody, deviceBody, deviceCreateOf } from './devices.js';

/** IoT Hub's limit of devices per bulk registry call. */
export const MAX_BULK_DEVICES = 100;
/** Devices per store transaction when importing JSON lines. */
const IMPORT_BATCH = 1000;
/** Import errors reported in full; the count covers all of them. */
const MAX_REPORTED_ERRORS = 100;

const importModes = new Map(IMPORT_MODES.map((mode) => [mode.toLowerCase(), mode]));

/** An ExportImportDevice as IoT Hub's bulk API and export format have it (the SDKs send `etag` too). */
const exportImportDevice = deviceBody.extend({
  id: z.string({ error: 'id is required' }),
  importMode: z.string().nullish(),
  eTag: z.string().nullish(),
  etag: z.string().nullish(),
  authentication: authenticationBody,
  tags: jsonObject.nullish(),
  properties: z.looseObject({ desired: jsonObject.nullish() }).nullish(),
});

function toOperation(value: unknown, what: string, defaultMode: ImportMode): RegistryOperation {
  const entry = parseInput(exportImportDevice, value, what);
  const importMode = entry.importMode ? importModes.get(entry.importMode.toLowerCase()) : defaultMode;
  if (!importMode) throw new HubError('ArgumentInvalid', `Invalid ${what}.importMode '${entry.importMode}': expected one of ${IMPORT_MODES.join(', ')}`);
  // An exported twin carries `$metadata` and `$version` in its sections: not content to write back.
  const desired = entry.properties?.desired ? Object.fromEntries(Object.entries(entry.properties.desired).filter(([key]) => !key.startsWith('$'))) : undefined;
  const twin = entry.tags || desired ? { ...(entry.tags && { tags: entry.tags }), ...(desired && { desired }) } : undefined;
  return {
    importMode,
    etag: entry.eTag ?? entry.etag ?? undefined,
    device: deviceCreateOf(entry.id, entry),
    ...(twin && { twin }),
  };
}

const registryError = (result: Extract<RegistryOperationResult, { ok: false }>) => ({
  deviceId: result.deviceId,
  errorCode: result.error.code,
  errorStatus: result.error.message,
});

/** A device and its twin in IoT Hub's export format (one line of `GET /registry/export`). */
export function exportLine(device: Device, twin: Twin): Record<string, unknown> {
  return {
    id: device.deviceId,
    eTag: device.etag,
    status: device.status,
    statusReason: device.statusReason,
    authentication: device.authentication,
    capabilities: device.capabilities,
    ...(device.deviceScope !== undefined && { deviceScope: device.deviceScope }),
    ...(device.parentScopes !== undefined && { parentScopes: device.parentScopes }),
    twinETag: twin.etag,
    tags: twin.tags,
    properties: twin.properties,
  };
}

/**
 * `POST /devices` with an array of ExportImportDevice (IoT Hub's bulk registry operations, at most
 * 100 devices, each once) → `{isSuccessful, errors, warnings}`, 200 when every operation succeeded,
 * else 400 naming each failed device with its error code. Extensions for whole fleets, as JSON lines
 * streamed both ways: `POST /registry/import` (default mode createOrUpdate, 1000 devices per
 * transaction; answers 200 with a summary naming the failed lines and devices) and `GET /registry/export`.
 */
export function bulkRegistryRouter(store: HubStore, events: HubEvents, log: Logger): Router {
  const router = Router();
  const announce = (results: readonly RegistryOperationResult[]) => {
    events.onTwinsChanged?.();
    for (const result of results) {
      if (!result.ok || result.created) continue;
      const keys = [result.deviceId, ...(result.moduleIds ?? []).map((moduleId) => identityKey(result.deviceId, moduleId))];
      for (const key of keys) notifyAfterCommit(log, `Identity-change notification for '${key}'`, () => events.onDeviceChange?.(key, result.device));
    }
  };

  router.post('/devices', requirePermission('RegistryWrite'), async (req, res) => {
    if (!Array.isArray(req.body)) throw new HubError('ArgumentInvalid', 'The body must be a JSON array of devices with their importMode');
    const body: unknown[] = req.body;
    if (body.length === 0 || body.length > MAX_BULK_DEVICES) {
      throw new HubError('ArgumentInvalid', `A bulk registry operation takes 1 to ${MAX_BULK_DEVICES} devices, not ${body.length}`);
    }
    const operations = body.map((entry, index) => toOperation(entry, `body[${index}]`, 'createOrUpdate'));
    const results = await store.applyRegistryOperations(operations);
    announce(results);
    const errors = results.filter((result) => !result.ok).map(registryError);
    res.status(errors.length === 0 ? 200 : 400).json({ isSuccessful: errors.length === 0, errors, warnings: [] });
  });

  router.post('/registry/import', requirePermission('RegistryWrite'), async (req, res) => {
    if (!String(req.headers['content-type'] ?? '').startsWith(JSON_LINES)) {
      throw new HubError('ArgumentInvalid', `Send the devices as JSON lines with Content-Type: ${JSON_LINES}`);
    }
    const summary = { processed: 0, succeeded: 0, failed: 0, errors: [] as Array<Record<string, unknown>> };
    const fail = (entry: Record<string, unknown>) => {
      summary.failed++;
      if (summary.errors.length < MAX_REPORTED_ERRORS) summary.errors.push(entry);
    };
    let batch: RegistryOperation[] = [];
    const ids = new Set<string>();
    const flush = async () => {
      if (batch.length === 0) return;
      const results = await store.applyRegistryOperations(batch);
      announce(results);
      for (const result of results) {
        if (result.ok) summary.succeeded++;
        else fail(registryError(result));
      }
      batch = [];
      ids.clear();
    };
    let line = 0;
    for await (const text of jsonLines(req)) {
      line++;
      if (text.trim() === '') continue;
      summary.processed++;
      let operation: RegistryOperation;
      try {
        operation = toOperation(JSON.parse(text), `line ${line}`, 'createOrUpdate');
      } catch (err) {
        const message = isHubError(err) ? err.message : `line ${line} is not JSON`;
        fail({ line, errorCode: 'ArgumentInvalid', errorStatus: message });
        continue;
      }
      // A device appearing again goes in the next transaction, after the earlier line's.
      if (ids.has(operation.device.deviceId) || batch.length >= IMPORT_BATCH) await flush();
      batch.push(operation);
      ids.add(operation.device.deviceId);
    }
    await flush();
    // The call itself succeeded; which devices failed is in the summary.
    res.status(200).json({ isSuccessful: summary.failed === 0, ...summary });
  });

  router.get('/registry/export', requirePermission('RegistryRead'), async (_req, res) => {
    res.status(200).type(JSON_LINES);
    let after: string | undefined;
    while (!res.destroyed) {
      const page = await store.exportDevices(after, IMPORT_BATCH);
      if (page.length === 0) break;
      const text = page.map(({ device, twin }) => JSON.stringify(exportLine(device, twin))).join('\n') + '\n';
      if (!res.write(text)) await drained(res);
      after = page.at(-1)!.device.deviceId;
    }
    res.end();
  });

  return router;
}

/** The response can take more, or the client has gone. */
const drained = (res: Response) =>
  new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });

/** The lines of a stream, a chunk's worth at a time (readline's per-line events cost more at 10,000 lines/s). */
async function* jsonLines(input: Readable): AsyncGenerator<string> {
  let rest = '';
  input.setEncoding('utf8');
  for await (const chunk of input as AsyncIterable<string>) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    yield* lines;
  }
  if (rest !== '') yield rest;
}
