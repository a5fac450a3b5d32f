import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BUILT_IN_POLICIES } from '../../src/auth/policies.js';
import { ensureHubFile, hubFilePath, readHubFile, updateHubFile } from '../../src/config/hub-file.js';
import { runScript } from '../helpers/child-script.js';
import { makeTempDir } from '../helpers/temp-dir.js';

describe('hub.json', () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir('iothub-hubfile-');
  });
  afterEach(() => dir.remove());

  it('is created on first start with the built-in policies and fresh keys, private to the owner', () => {
    const file = ensureHubFile(dir.path, 'localhost');
    assert.deepEqual(
      file.sharedAccessPolicies.map(({ keyName, rights }) => ({ keyName, rights })),
      BUILT_IN_POLICIES,
    );
    const keys = file.sharedAccessPolicies.flatMap((policy) => [policy.primaryKey, policy.secondaryKey]);
    assert.equal(new Set(keys).size, keys.length);
    for (const key of keys) assert.equal(Buffer.from(key, 'base64').length, 32);
    assert.equal(statSync(hubFilePath(dir.path)).mode & 0o777, 0o600);
    assert.deepEqual(readHubFile(dir.path), file);
  });

  it('keeps its keys across starts and records ports, merging them', () => {
    const first = ensureHubFile(dir.path, 'localhost');
    updateHubFile(dir.path, { hostName: 'localhost', ports: { https: 8443, http: 8080 } });
    updateHubFile(dir.path, { ports: { mqtts: 8883, http: undefined } });
    const again = ensureHubFile(dir.path, 'localhost');
    assert.deepEqual(again.sharedAccessPolicies, first.sharedAccessPolicies);
    assert.deepEqual(again.ports, { https: 8443, mqtts: 8883 });
  });

  it('adds missing built-in policies and keeps unknown fields', () => {
    const first = ensureHubFile(dir.path, 'localhost');
    const trimmed = { ...first, sharedAccessPolicies: first.sharedAccessPolicies.slice(0, 2), jobs: { note: 'kept' } };
    writeFileSync(hubFilePath(dir.path), JSON.stringify(trimmed));
    const upgraded = ensureHubFile(dir.path, 'localhost');
    assert.equal(upgraded.sharedAccessPolicies.length, BUILT_IN_POLICIES.length);
    assert.deepEqual(upgraded.sharedAccessPolicies.slice(0, 2), first.sharedAccessPolicies.slice(0, 2));
    assert.deepEqual(JSON.parse(readFileSync(hubFilePath(dir.path), 'utf8')).jobs, { note: 'kept' });
  });

  it('a damaged file is a clear error, not a silent reset of the keys', () => {
    writeFileSync(hubFilePath(dir.path), '{"hostName":');
    assert.throws(() => ensureHubFile(dir.path, 'localhost'), /hub\.json is not valid JSON/);
    writeFileSync(hubFilePath(dir.path), JSON.stringify({ hostName: 'h', ports: {}, sharedAccessPolicies: [{ keyName: 'x', rights: ['Everything'] }] }));
    assert.throws(() => ensureHubFile(dir.path, 'localhost'), /hub\.json is invalid: sharedAccessPolicies\.0\.rights\.0/);
  });

  it('processes starting together agree on one set of keys', async () => {
    const script = `import { ensureHubFile } from './src/config/hub-file.ts';
      console.log(ensureHubFile(${JSON.stringify(dir.path)}, 'localhost').sharedAccessPolicies[0].primaryKey);`;
    const keys = await Promise.all([1, 2, 3, 4].map((i) => runScript(dir.path, `hubfile-race-${i}`, script)));
    assert.equal(new Set(keys).size, 1);
  });

  it("processes updating it together lose none of each other's changes", async () => {
    ensureHubFile(dir.path, 'localhost');
    const writers = 4;
    const updates = 150;
    const script = (writer: number) => `import { updateHubFile } from './src/config/hub-file.ts';
      for (let i = 0; i < ${updates}; i++) updateHubFile(${JSON.stringify(dir.path)}, { ports: { ['w${writer}-' + i]: i } });`;
    await Promise.all(Array.from({ length: writers }, (_, writer) => runScript(dir.path, `hubfile-update-${writer}`, script(writer))));
    assert.equal(Object.keys(readHubFile(dir.path)!.ports).length, writers * updates);
  });

  it('a lock left by a process that died holding it is taken over', () => {
    ensureHubFile(dir.path, 'localhost');
    const lock = `${hubFilePath(dir.path)}.lock`;
    writeFileSync(lock, '');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, longAgo, longAgo);
    assert.deepEqual(updateHubFile(dir.path, { ports: { https: 1 } }).ports, { https: 1 });
    assert.equal(existsSync(lock), false);
  });
});
