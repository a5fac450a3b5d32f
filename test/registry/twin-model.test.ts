import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { newDevice } from '../../src/registry/device/identity.js';
import type { Twin } from '../../src/registry/model.js';
import { newTwin } from '../../src/registry/twin/document.js';
import { twinEtag, twinServiceWrites } from '../../src/registry/twin/etag.js';
import { applyReportedPatch } from '../../src/registry/twin/reported-update.js';
import { applyServiceUpdate } from '../../src/registry/twin/service-update.js';

const T0 = '2024-05-10T07:11:30.0000000Z';
const T1 = '2024-05-10T07:11:31.0000000Z';
const T2 = '2024-05-10T07:11:32.0000000Z';
const T3 = '2024-05-10T07:11:33.0000000Z';

const freshTwin = (): Twin => newTwin(newDevice({ deviceId: 'dev1' }), T0);

describe('twin etag', () => {
  it('is base64 of the 8-byte big-endian service write count', () => {
    assert.equal(twinEtag(1), 'AAAAAAAAAAE=');
    assert.equal(twinEtag(18), 'AAAAAAAAABI=');
    assert.equal(twinServiceWrites('AAAAAAAAABI='), 18);
  });
});

describe('new twin', () => {
  it('has $version 1 in both sections, version 2, etag AAAAAAAAAAE= and only $lastUpdated metadata', () => {
    const twin = freshTwin();
    assert.equal(twin.etag, 'AAAAAAAAAAE=');
    assert.equal(twin.version, 2);
    assert.deepEqual(twin.properties.desired, { $metadata: { $lastUpdated: T0 }, $version: 1 });
    assert.deepEqual(twin.properties.reported, { $metadata: { $lastUpdated: T0 }, $version: 1 });
    assert.deepEqual(twin.tags, {});
    assert.equal(twin.deviceEtag, 'MQ==');
    assert.equal(twin.statusUpdateTime, '0001-01-01T00:00:00Z');
  });
});

describe('service PATCH', () => {
  it('properties.desired: null removes every desired key, bumps $version and tells the device null for each', () => {
    const twin = applyServiceUpdate(freshTwin(), { desired: { a: 1, b: { c: 2 } } }, 'patch', T1).twin;
    for (const mode of ['patch', 'replace'] as const) {
      const { twin: after, desiredPatch } = applyServiceUpdate(twin, { desired: null }, mode, T2);
      assert.equal(after.properties.desired.$version, 3);
      assert.deepEqual(after.properties.desired, { $metadata: { $lastUpdated: T2, $lastUpdatedVersion: 3 }, $version: 3 });
      assert.deepEqual(desiredPatch, { a: null, b: null });
      assert.equal(after.etag, twinEtag(twinServiceWrites(twin.etag) + 1));
    }
  });

  it('tags: null removes every tag and leaves desired alone', () => {
    const twin = applyServiceUpdate(freshTwin(), { tags: { a: 1, b: 'x' } }, 'patch', T1).twin;
    const { twin: after, desiredPatch } = applyServiceUpdate(twin, { tags: null }, 'patch', T2);
    assert.deepEqual(after.tags, {});
    assert.equal(after.properties.desired.$version, 1);
    assert.equal(desiredPatch, undefined);
    assert.equal(after.version, twin.version + 1);
  });

  it('tags only: bumps etag and version, not desired $version', () => {
    const { twin, desiredPatch } = applyServiceUpdate(freshTwin(), { tags: { floor: 3 } }, 'patch', T1);
    assert.equal(twin.etag, 'AAAAAAAAAAI=');
    assert.equal(twin.version, 3);
    assert.equal(twin.properties.desired.$version, 1);
    assert.deepEqual(twin.tags, { floor: 3 });
    assert.equal(desiredPatch, undefined);
  });

  it('desired: bumps desired $version and stamps every level with $lastUpdated and $lastUpdatedVersion', () => {
    const { twin, desiredPatch } = applyServiceUpdate(freshTwin(), { desired: { telemetry: { period: 5 } } }, 'patch', T1);
    assert.equal(twin.properties.desired.$version, 2);
    assert.equal(twin.version, 2 + 1);
    const stamp = { $lastUpdated: T1, $lastUpdatedVersion: 2 };
    assert.deepEqual(twin.properties.desired, {
      telemetry: { period: 5 },
      $metadata: { ...stamp, telemetry: { ...stamp, period: stamp } },
      $version: 2,
    });
    assert.deepEqual(desiredPatch, { telemetry: { period: 5 } });
  });

  it('merges objects, keeps untouched siblings and their timestamps, and null deletes', () => {
    let twin = applyServiceUpdate(freshTwin(), { desired: { a: { x: 1, y: 2 }, b: true } }, 'patch', T1).twin;
    const result = applyServiceUpdate(twin, { desired: { a: { y: null, z: 'new' } } }, 'patch', T2);
    twin = result.twin;
    type Stamp = { $lastUpdated: string; $lastUpdatedVersion?: number };
    type Metadata = Stamp & { a: Stamp & Record<'x' | 'y' | 'z', Stamp | undefined>; b: Stamp };
    const desired = twin.properties.desired as unknown as { a: unknown; b: unknown; $metadata: Metadata };
    assert.deepEqual({ a: desired.a, b: desired.b }, { a: { x: 1, z: 'new' }, b: true });
    assert.deepEqual(desired.$metadata.a.x, { $lastUpdated: T1, $lastUpdatedVersion: 2 });
    assert.deepEqual(desired.$metadata.a.z, { $lastUpdated: T2, $lastUpdatedVersion: 3 });
    assert.equal(desired.$metadata.a.y, undefined);
    // The parent of a deleted key shows the deletion's time.
    assert.equal(desired.$metadata.a.$lastUpdated, T2);
    assert.equal(desired.$metadata.$lastUpdated, T2);
    assert.deepEqual(desired.$metadata.b, { $lastUpdated: T1, $lastUpdatedVersion: 2 });
    assert.deepEqual(result.desiredPatch, { a: { y: null, z: 'new' } });
  });

  it('deleting a top-level key moves the section timestamp', () => {
    const twin = applyServiceUpdate(freshTwin(), { desired: { gone: 1 } }, 'patch', T1).twin;
    const after = applyServiceUpdate(twin, { desired: { gone: null } }, 'patch', T2).twin;
    assert.deepEqual(after.properties.desired, { $metadata: { $lastUpdated: T2, $lastUpdatedVersion: 3 }, $version: 3 });
  });

  it('a new object value drops nested nulls (nothing to delete there)', () => {
    const twin = applyServiceUpdate(freshTwin(), { tags: { a: { b: null, c: 1 } } }, 'patch', T1).twin;
    assert.deepEqual(twin.tags, { a: { c: 1 } });
  });

  it('an empty patch changes nothing, not even the etag', () => {
    const twin = freshTwin();
    assert.equal(applyServiceUpdate(twin, { tags: {}, desired: {} }, 'patch', T1).twin, twin);
  });

  it('treats keys such as __proto__ as plain data', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "constructor": 1}');
    const twin = applyServiceUpdate(freshTwin(), { tags: patch }, 'patch', T1).twin;
    assert.equal(Object.getPrototypeOf(twin.tags), Object.prototype);
    assert.deepEqual(Object.keys(twin.tags), ['__proto__', 'constructor']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('service PUT (replace)', () => {
  it('replaces tags and desired wholesale and tells the device which keys went away', () => {
    const first = applyServiceUpdate(freshTwin(), { tags: { a: 1, b: 2 }, desired: { keep: 1, drop: 2 } }, 'patch', T1).twin;
    const { twin, desiredPatch } = applyServiceUpdate(first, { tags: { c: 3 }, desired: { keep: 10, added: { n: 1 } } }, 'replace', T2);
    assert.deepEqual(twin.tags, { c: 3 });
    const stamp = { $lastUpdated: T2, $lastUpdatedVersion: 3 };
    assert.deepEqual(twin.properties.desired, {
      keep: 10,
      added: { n: 1 },
      $metadata: { ...stamp, keep: stamp, added: { ...stamp, n: stamp } },
      $version: 3,
    });
    assert.deepEqual(desiredPatch, { keep: 10, added: { n: 1 }, drop: null });
    assert.equal(twin.etag, twinEtag(3));
  });

  it('leaves an omitted section unchanged', () => {
    const first = applyServiceUpdate(freshTwin(), { desired: { d: 1 } }, 'patch', T1).twin;
    const { twin, desiredPatch } = applyServiceUpdate(first, { tags: { t: 1 } }, 'replace', T2);
    assert.deepEqual(twin.properties.desired, first.properties.desired);
    assert.equal(desiredPatch, undefined);
  });
});

describe('reported patch (device side)', () => {
  it('bumps reported $version and version but not the etag; metadata has no $lastUpdatedVersion', () => {
    const twin = applyReportedPatch(freshTwin(), { fw: { version: '1.2' } }, T1);
    assert.equal(twin.etag, 'AAAAAAAAAAE=');
    assert.equal(twin.version, 3);
    assert.deepEqual(twin.properties.reported, {
      fw: { version: '1.2' },
      $metadata: { $lastUpdated: T1, fw: { $lastUpdated: T1, version: { $lastUpdated: T1 } } },
      $version: 2,
    });
    const deleted = applyReportedPatch(twin, { fw: null }, T3);
    assert.deepEqual(deleted.properties.reported, { $metadata: { $lastUpdated: T3 }, $version: 3 });
  });
});

describe('version arithmetic', () => {
  it('root version = service writes + reported $version, for any sequence of writes', () => {
    const write = fc.oneof(
      fc.record({ kind: fc.constant('tags' as const), value: fc.integer() }),
      fc.record({ kind: fc.constant('desired' as const), value: fc.integer() }),
      fc.record({ kind: fc.constant('reported' as const), value: fc.integer() }),
    );
    fc.assert(
      fc.property(fc.array(write, { maxLength: 30 }), (writes) => {
        let twin = freshTwin();
        let serviceWrites = 1;
        let desiredWrites = 0;
        for (const { kind, value } of writes) {
          if (kind === 'reported') twin = applyReportedPatch(twin, { v: value }, T1);
          else {
            twin = applyServiceUpdate(twin, { [kind]: { v: value } }, 'patch', T1).twin;
            serviceWrites += 1;
            if (kind === 'desired') desiredWrites += 1;
          }
          assert.equal(twin.version, twinServiceWrites(twin.etag) + twin.properties.reported.$version);
        }
        assert.equal(twin.etag, twinEtag(serviceWrites));
        assert.equal(twin.properties.desired.$version, 1 + desiredWrites);
      }),
    );
  });
});
