import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateQuery, matchesCondition, parseQueryCondition } from '../../src/query/index.js';

const twin = (deviceId: string, extra: Record<string, unknown> = {}) => ({
  deviceId,
  status: 'enabled',
  tags: {},
  properties: { desired: { $version: 1 }, reported: { $version: 1 } },
  ...extra,
});
const holds = (condition: string, document: unknown = {}) => matchesCondition(parseQueryCondition(condition).where, document);
const ids = (query: string, documents: unknown[]) => (evaluateQuery(query, documents).items as { deviceId: string }[]).map((d) => d.deviceId);

describe('reference evaluator: conditions', () => {
  const doc = {
    tags: { n: 5, s: 'abc', t: true, z: null, o: { a: 1 }, list: [1, 2], constructor: undefined },
    deviceId: 'dev',
  };

  it('holds only for boolean true; missing properties are undefined, so neither = nor != holds', () => {
    assert.equal(holds('tags.n = 5', doc), true);
    assert.equal(holds('tags.missing = 5', doc), false);
    assert.equal(holds('tags.missing != 5', doc), false);
    assert.equal(holds('NOT (tags.missing = 5)', doc), false);
    assert.equal(holds('tags.t', doc), true);
    assert.equal(holds('tags.n', doc), false);
    assert.equal(holds("'true'", doc), false);
    assert.equal(holds('1', doc), false);
  });

  it('IS_DEFINED is true for null; the IS_* checks test the JSON type', () => {
    assert.equal(holds('IS_DEFINED(tags.z)', doc), true);
    assert.equal(holds('IS_DEFINED(tags.missing)', doc), false);
    assert.equal(holds('IS_NULL(tags.z) AND IS_PRIMITIVE(tags.z)', doc), true);
    assert.equal(holds('IS_OBJECT(tags.o) AND IS_ARRAY(tags.list) AND NOT IS_PRIMITIVE(tags.o)', doc), true);
    assert.equal(holds('IS_NUMBER(tags.n) AND IS_STRING(tags.s) AND IS_BOOL(tags.t)', doc), true);
    assert.equal(holds('IS_OBJECT(tags.list) OR IS_ARRAY(tags.o) OR IS_NUMBER(tags.s)', doc), false);
    assert.equal(holds('IS_DEFINED(tags.n + 1) AND NOT IS_DEFINED(tags.s + 1)', doc), true);
  });

  it('compares only primitives of the same type; null equals null', () => {
    assert.equal(holds('tags.z = null', doc), true);
    assert.equal(holds('tags.z != null', doc), false);
    assert.equal(holds('tags.z <= null AND tags.z >= null AND NOT (tags.z < null)', doc), true);
    assert.equal(holds("tags.n = '5' OR tags.n != '5'", doc), false);
    assert.equal(holds('tags.t = 1 OR tags.t != 1', doc), false);
    assert.equal(holds('tags.o = tags.o OR tags.o != tags.o', doc), false);
    assert.equal(holds('tags.list = [1, 2]', doc), false);
    assert.equal(holds('false < true AND tags.t > false', doc), true);
    assert.equal(holds("tags.s > 'abb' AND tags.s < 'abd' AND tags.s >= 'abc'", doc), true);
  });

  it('orders strings by code point (UTF-8 byte order), not by UTF-16 unit or locale', () => {
    assert.equal(holds("'\uE000' < '😀'"), true);
    assert.equal(holds("'Z' < 'a' AND 'a' < 'é' AND 'ab' > 'a'"), true);
  });

  it('uses three-valued AND / OR / NOT', () => {
    assert.equal(holds('tags.missing = 1 OR tags.n = 5', doc), true);
    assert.equal(holds('NOT (tags.missing = 1 AND tags.n = 4)', doc), true);
    assert.equal(holds('NOT (tags.missing = 1 OR tags.n = 4)', doc), false);
    assert.equal(holds('NOT (tags.missing = 1 AND tags.n = 5)', doc), false);
  });

  it('IN / NIN compare with = and are undefined for missing or non-primitive values', () => {
    assert.equal(holds("tags.n IN [1, '5', 5]", doc), true);
    assert.equal(holds("tags.n IN ['5']", doc), false);
    assert.equal(holds("tags.n NIN ['5']", doc), true);
    assert.equal(holds('tags.missing NIN [1]', doc), false);
    assert.equal(holds('tags.o NIN [1]', doc), false);
    assert.equal(holds('tags.z IN [null]', doc), true);
    assert.equal(holds('tags.n IN []', doc), false);
    assert.equal(holds('tags.n NIN []', doc), true);
  });

  it('does arithmetic on numbers only, undefined where it would overflow, underflow or divide by zero', () => {
    assert.equal(holds('tags.n / 2 = 2.5 AND tags.n % 3 = 2 AND -tags.n % 3 = -2 AND 2 * 3 - 1 = tags.n', doc), true);
    assert.equal(holds('0.1 + 0.2 = 0.30000000000000004'), true);
    for (const undefinedOne of [
      '1 / 0',
      '0 / 0',
      '7.5 % 2',
      '1e300 * 1e10',
      '1e-300 * 1e-300',
      '1e301 + 0',
      '1e300 / 1e-10',
      "'a' + 1",
      'true + 1',
      'null * 2',
      '-tags.s',
    ]) {
      assert.equal(holds(`IS_DEFINED(${undefinedOne})`, doc), false, undefinedOne);
    }
    assert.equal(holds('IS_DEFINED(1e300 * 1) AND IS_DEFINED(5e-324 * 1) AND IS_DEFINED(9007199254740992 % 7)'), true);
  });

  it('STARTSWITH / ENDSWITH need two strings', () => {
    assert.equal(holds("STARTSWITH(tags.s, 'ab') AND ENDSWITH(tags.s, 'bc') AND STARTSWITH(tags.s, '')", doc), true);
    assert.equal(holds("STARTSWITH(tags.s, 'abcd') OR ENDSWITH(tags.s, 'zabc')", doc), false);
    assert.equal(holds("NOT STARTSWITH(tags.n, '5')", doc), false);
    assert.equal(holds('NOT STARTSWITH(tags.s, 1)', doc), false);
  });

  it('reads own properties only', () => {
    assert.equal(holds('IS_DEFINED(tags.[[constructor]])', { tags: {} }), false);
    assert.equal(holds('IS_DEFINED(tags.toString)', { tags: {} }), false);
    assert.equal(holds("tags.[[__proto__]] = 'x'", JSON.parse('{"tags":{"__proto__":"x"}}')), true);
    assert.equal(holds('IS_DEFINED(tags.length)', { tags: [] }), false);
  });
});

describe('reference evaluator: queries', () => {
  const docs = [
    twin('a', { tags: { floor: 1, group: { name: 'g1' } }, properties: { desired: { $version: 1 }, reported: { $version: 3, fw: '1.0', t: 20 } } }),
    twin('b', { status: 'disabled', tags: { floor: 2 }, properties: { desired: { $version: 1 }, reported: { $version: 1, fw: '2.0', t: 25 } } }),
    twin('c', { tags: { floor: 1 }, properties: { desired: { $version: 1 }, reported: { $version: 1, fw: { v: 3 }, t: 'hot' } } }),
    twin('d', { tags: {} }),
  ];

  it('SELECT * keeps document order, filters and applies TOP', () => {
    assert.deepEqual(ids("SELECT * FROM devices WHERE status = 'enabled'", docs), ['a', 'c', 'd']);
    assert.deepEqual(ids('SELECT TOP 2 * FROM devices WHERE tags.floor = 1 OR tags.floor = 2', docs), ['a', 'b']);
    assert.deepEqual(ids('SELECT TOP 0 * FROM devices', docs), []);
    assert.equal(evaluateQuery('SELECT * FROM devices', docs).itemType, 'Twin');
    assert.equal(evaluateQuery('SELECT * FROM devices.modules', docs).itemType, 'Twin');
    assert.equal(evaluateQuery('SELECT * FROM devices.jobs', []).itemType, 'DeviceJob');
  });

  it('projections use the canonical casing and leave missing values out', () => {
    const result = evaluateQuery('SELECT DeviceId, tags.[[group]].name AS g, Properties.Reported.fw FROM devices', docs);
    assert.equal(result.itemType, 'Raw');
    assert.deepEqual(result.items, [{ deviceId: 'a', g: 'g1', fw: '1.0' }, { deviceId: 'b', fw: '2.0' }, { deviceId: 'c', fw: { v: 3 } }, { deviceId: 'd' }]);
  });

  it('GROUP BY orders groups missing/non-primitive first, then null, booleans, numbers, strings', () => {
    const result = evaluateQuery('SELECT properties.reported.fw AS fw, COUNT() AS n FROM devices GROUP BY properties.reported.fw', [
      ...docs,
      twin('e', { properties: { desired: {}, reported: { fw: '1.0' } } }),
      twin('f', { properties: { desired: {}, reported: { fw: 7 } } }),
    ]);
    assert.deepEqual(result.items, [{ n: 2 }, { fw: 7, n: 1 }, { fw: '1.0', n: 2 }, { fw: '2.0', n: 1 }]);
  });

  it('aggregates: COUNT counts rows, SUM/AVG numbers, MIN/MAX numbers else strings; one row without GROUP BY', () => {
    assert.deepEqual(
      evaluateQuery(
        'SELECT COUNT() AS n, SUM(properties.reported.t) AS sum, AVG(properties.reported.t) AS avg, MIN(properties.reported.t) AS min, MAX(properties.reported.fw) AS max, MIN(tags.none) AS none FROM devices',
        docs,
      ).items,
      [{ n: 4, sum: 45, avg: 22.5, min: 20, max: '2.0' }],
    );
    assert.deepEqual(evaluateQuery('SELECT COUNT() AS n, SUM(tags.x) AS s FROM devices', []).items, [{ n: 0 }]);
    assert.deepEqual(evaluateQuery('SELECT tags.floor AS floor, COUNT() AS n FROM devices WHERE IS_DEFINED(tags.floor) GROUP BY tags.floor', docs).items, [
      { floor: 1, n: 2 },
      { floor: 2, n: 1 },
    ]);
  });
});
