import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HubError } from '../../src/errors/hub-error.js';
import { newDevice } from '../../src/registry/device/identity.js';
import type { Twin } from '../../src/registry/model.js';
import { newTwin } from '../../src/registry/twin/document.js';
import { applyReportedPatch } from '../../src/registry/twin/reported-update.js';
import { applyServiceUpdate } from '../../src/registry/twin/service-update.js';
import { twinContentSize } from '../../src/registry/twin/validate.js';

const NOW = '2024-05-10T07:11:30.0000000Z';
const twin = (): Twin => newTwin(newDevice({ deviceId: 'dev1' }), NOW);

/** Nested objects: depth(1) = { k: 1 }, depth(2) = { k: { k: 1 } }, … */
const nested = (levels: number): Record<string, unknown> => (levels === 1 ? { k: 1 } : { k: nested(levels - 1) });

/** Asserts a 400 ArgumentInvalid whose message matches, and that the input twin was not modified. */
function rejects(update: Parameters<typeof applyServiceUpdate>[1], message: RegExp, mode: 'patch' | 'replace' = 'patch') {
  const before = twin();
  const copy = structuredClone(before);
  assert.throws(
    () => applyServiceUpdate(before, update, mode, NOW),
    (err: unknown) => err instanceof HubError && err.code === 'ArgumentInvalid' && err.httpStatus === 400 && message.test(err.message),
  );
  assert.deepEqual(before, copy);
}

describe('twin key rules', () => {
  for (const [key, what] of [
    ['a.b', /'a\.b' in properties\.desired contains '\.'/],
    ['$x', /contains '\$'/],
    ['has space', /contains U\+0020/],
    ['tab\there', /contains U\+0009/],
    ['nbsp\u00a0', /contains U\+00A0/],
    ['ctl\u0001', /contains U\+0001/],
    ['c1\u0085', /contains U\+0085/],
    ['', /Empty property name in properties\.desired/],
  ] as const) {
    it(`rejects ${JSON.stringify(key)}`, () => rejects({ desired: { [key]: 1 } }, what));
  }

  it('names nested keys by their path', () => rejects({ tags: { outer: { 'in.ner': 1 } } }, /'in\.ner' in tags\.outer/));

  it('accepts a 1024-byte key and rejects 1025 bytes (UTF-8)', () => {
    assert.doesNotThrow(() => applyServiceUpdate(twin(), { tags: { ['k'.repeat(1024)]: 1 } }, 'patch', NOW));
    rejects({ tags: { ['é'.repeat(512) + 'k']: 1 } }, /is 1025 bytes long, more than the limit of 1024 bytes/);
  });

  it('allows keys IoT Hub allows (#, unicode letters, punctuation)', () => {
    assert.doesNotThrow(() => applyServiceUpdate(twin(), { desired: { '#tag': 1, ключ: 2, 'a-b_c:d': 3 } }, 'patch', NOW));
  });
});

describe('twin value rules', () => {
  it('rejects null inside arrays, naming the element', () => rejects({ desired: { list: [1, [2, null]] } }, /properties\.desired\.list\[1\]\[1\] is null/));

  it('accepts integers within ±2^52 and rejects beyond', () => {
    assert.doesNotThrow(() => applyServiceUpdate(twin(), { tags: { lo: -4503599627370496, hi: 4503599627370495, f: 1.5e300 / 1e300 } }, 'patch', NOW));
    rejects({ tags: { n: 4503599627370496 } }, /Value of tags\.n \(4503599627370496\) is outside the supported integer range/);
    rejects({ tags: { n: -4503599627370497 } }, /outside the supported integer range/);
  });

  it('accepts 4096-byte strings and rejects 4097 bytes', () => {
    assert.doesNotThrow(() => applyServiceUpdate(twin(), { desired: { s: 'x'.repeat(4096) } }, 'patch', NOW));
    rejects({ desired: { s: 'x'.repeat(4095) + 'é' } }, /Value of properties\.desired\.s is 4097 bytes long/);
  });

  it('rejects U+0000 in strings (neither store can keep it)', () => rejects({ tags: { s: 'a\u0000b' } }, /contains the character U\+0000/));

  // A JSON body may escape one half of a surrogate pair ("\ud800"); PostgreSQL's jsonb refuses it (found by the REST fuzz).
  it('rejects unpaired surrogates in strings and names, accepts pairs', () => {
    rejects({ tags: { s: 'a\ud800' } }, /Value of tags\.s contains an unpaired surrogate/);
    rejects({ desired: { list: ['\udfff'] } }, /Value of properties\.desired\.list\[0\] contains an unpaired surrogate/);
    rejects({ tags: { ['k\udc00']: 1 } }, /contains U\+DC00: names may not contain/);
    assert.doesNotThrow(() => applyServiceUpdate(twin(), { tags: { ['😀']: '😀' } }, 'patch', NOW));
  });

  it('requires sections to be objects', () => {
    rejects({ tags: [] as unknown as Record<string, unknown> }, /^tags must be a JSON object$/);
  });
});

describe('twin depth', () => {
  // Found by the MQTT fuzz: a reported patch of arrays nested 1000 deep was stored, and SQLite's JSON
  // functions then refused that twin ("malformed JSON") in every later write.
  it('accepts arrays and objects nested 64 levels below a section and rejects 65', () => {
    const arrays = (levels: number): unknown => {
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    assert.doesNotThrow(() => applyReportedPatch(twin(), { a: arrays(64) }, NOW));
    assert.throws(
      () => applyReportedPatch(twin(), { a: arrays(65) }, NOW),
      (err: unknown) => err instanceof HubError && /properties\.reported\.a(\[0\]){64} nests arrays and objects more than 64 levels deep/.test(err.message),
    );
    assert.throws(() => applyReportedPatch(twin(), { a: arrays(100_000) }, NOW), /more than 64 levels deep/);
  });

  it('accepts 10 nested object levels and rejects 11', () => {
    assert.doesNotThrow(() => applyServiceUpdate(twin(), { desired: nested(11) }, 'patch', NOW)); // 10 objects below the top level
    rejects({ desired: nested(12) }, /properties\.desired(\.k){11} nests objects more than 10 levels deep/);
  });

  it('counts objects inside arrays as a level', () => rejects({ tags: { a: [nested(11)] } }, /nests objects more than 10 levels deep/));
});

describe('twin section sizes', () => {
  it('computes sizes as IoT Hub documents them', () => {
    // keys 1+2+1+1 bytes; string 3 (control char not counted); number 8; boolean 4; array 8+8
    assert.equal(twinContentSize({ a: 'xy\u0001z', bb: 1, c: true, d: [1, 2] }), 5 + 3 + 8 + 4 + 16);
  });

  it('rejects tags over 8 KB, naming the size and limit, and applies nothing', () => {
    const tags: Record<string, string> = {};
    for (let i = 0; i < 3; i++) tags[`k${i}`] = 'x'.repeat(2800); // 3 × (2 + 2800) = 8406
    rejects({ tags, desired: { fine: 1 } }, /Twin tags would be 8406 bytes, more than the limit of 8192 bytes/);
  });

  it('checks the merged result, not just the patch', () => {
    let current = twin();
    for (let i = 0; i < 8; i++) current = applyServiceUpdate(current, { desired: { [`p${i}`]: 'x'.repeat(4000) } }, 'patch', NOW).twin;
    assert.throws(
      () => applyServiceUpdate(current, { desired: { p8: 'x'.repeat(4000) } }, 'patch', NOW),
      /Twin desired properties would be 36018 bytes, more than the limit of 32768 bytes/,
    );
  });

  it('limits reported properties to 32 KB too', () => {
    const patch: Record<string, string> = {};
    for (let i = 0; i < 9; i++) patch[`r${i}`] = 'x'.repeat(4000);
    assert.throws(() => applyReportedPatch(twin(), patch, NOW), /Twin reported properties would be 36018 bytes/);
    assert.throws(() => applyReportedPatch(twin(), { 'bad key': 1 }, NOW), /'bad key' in properties\.reported contains U\+0020/);
  });
});
