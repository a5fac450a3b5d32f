import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { generateBuiltInPolicies, PERMISSIONS, withBuiltInPolicies, type SharedAccessPolicy } from '../auth/policies.js';

/**
 * `<data dir>/hub.json`: what a client needs to reach this hub, and the shared access policy keys
 * (generated on first start, kept afterwards). Example:
 *   {
 *     "hostName": "localhost",
 *     "ports": { "https": 8443, "http": 8080, "mqtts": 8883 },
 *     "caFile": "/abs/path/data/tls/ca.pem",
 *     "sharedAccessPolicies": [
 *       { "keyName": "iothubowner", "rights": ["RegistryRead","RegistryWrite","ServiceConnect","DeviceConnect"],
 *         "primaryKey": "<base64 32 bytes>", "secondaryKey": "<base64 32 bytes>" }, …
 *     ]
 *   }
 * `ports` holds the ports the last start listened on (keys: https, http, mqtts, …; absent = off).
 * Unknown top-level fields are preserved, so later issues can add their own.
 */
const policySchema = z.object({
  keyName: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  rights: z.array(z.enum(PERMISSIONS)).min(1),
  primaryKey: z.string().min(1),
  secondaryKey: z.string().min(1),
});

const hubFileSchema = z.looseObject({
  hostName: z.string().min(1),
  ports: z.record(z.string(), z.number().int().min(0).max(65535)),
  caFile: z.string().optional(),
  sharedAccessPolicies: z.array(policySchema).min(1),
});

export type HubFile = z.infer<typeof hubFileSchema> & { sharedAccessPolicies: SharedAccessPolicy[] };

export const hubFilePath = (dataDir: string): string => join(dataDir, 'hub.json');

const serialise = (contents: HubFile): string => `${JSON.stringify(contents, null, 2)}\n`;

export function readHubFile(dataDir: string): HubFile | undefined {
  const path = hubFilePath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let parsed;
  try {
    parsed = hubFileSchema.safeParse(JSON.parse(text));
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${path} is invalid: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data as HubFile;
}

/** Writes the file in one step (temp file + rename): readers never see half of it. Key material: 0600. */
function replaceHubFile(dataDir: string, contents: HubFile): void {
  const temp = `${hubFilePath(dataDir)}.${process.pid}.tmp`;
  writeFileSync(temp, serialise(contents), { mode: 0o600 });
  renameSync(temp, hubFilePath(dataDir));
}

/**
 * Returns hub.json, creating it with fresh policy keys on first start. Creation links a complete
 * temp file into place, which fails if the file appeared meanwhile: processes starting together on
 * one data directory all end up with the same keys.
 */
export function ensureHubFile(dataDir: string, hostName: string): HubFile {
  mkdirSync(dataDir, { recursive: true });
  const existing = readHubFile(dataDir);
  if (existing) {
    if (withBuiltInPolicies(existing.sharedAccessPolicies).length === existing.sharedAccessPolicies.length) return existing;
    return withHubFileLock(dataDir, () => {
      const current = readHubFile(dataDir)!;
      const upgraded = { ...current, sharedAccessPolicies: withBuiltInPolicies(current.sharedAccessPolicies) };
      replaceHubFile(dataDir, upgraded);
      return upgraded;
    });
  }
  const created: HubFile = { hostName, ports: {}, sharedAccessPolicies: generateBuiltInPolicies() };
  const temp = `${hubFilePath(dataDir)}.${process.pid}.new`;
  writeFileSync(temp, serialise(created), { mode: 0o600 });
  try {
    linkSync(temp, hubFilePath(dataDir));
    return created;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readHubFile(dataDir)!;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Records where this start listens (ports are merged, so each component adds its own). */
export function updateHubFile(dataDir: string, update: { hostName?: string; ports?: Record<string, number | undefined>; caFile?: string }): HubFile {
  return withHubFileLock(dataDir, () => applyUpdate(dataDir, update));
}

function applyUpdate(dataDir: string, update: { hostName?: string; ports?: Record<string, number | undefined>; caFile?: string }): HubFile {
  const current = readHubFile(dataDir);
  if (!current) throw new Error(`${hubFilePath(dataDir)} does not exist; ensureHubFile creates it`);
  const ports: Record<string, number> = { ...current.ports };
  for (const [name, value] of Object.entries(update.ports ?? {})) {
    if (value === undefined) delete ports[name];
    else ports[name] = value;
  }
  const next: HubFile = { ...current, hostName: update.hostName ?? current.hostName, ports, caFile: update.caFile ?? current.caFile };
  replaceHubFile(dataDir, next);
  return next;
}

/** A lock older than this was left by a process that died holding it (a change takes microseconds). */
const STALE_LOCK_MS = 5_000;
const LOCK_WAIT_MS = 30_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Runs a read-modify-write of hub.json while holding `hub.json.lock` (created exclusively), so
 * processes sharing a data directory (the roles of a cluster on one volume) never lose each
 * other's changes. The lock is judged by age, not by pid: processes in other containers share it.
 */
function withHubFileLock<T>(dataDir: string, change: () => T): T {
  const lock = `${hubFilePath(dataDir)}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (lockAgeMs(lock) > STALE_LOCK_MS) rmSync(lock, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`${lock} has been held for over ${LOCK_WAIT_MS / 1000} s; remove it if no hub process is starting`, { cause: err });
      else Atomics.wait(pause, 0, 0, 2);
    }
  }
  try {
    return change();
  } finally {
    rmSync(lock, { force: true });
  }
}

function lockAgeMs(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0; // released meanwhile: try again
  }
}
