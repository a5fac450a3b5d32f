import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HubError } from '../../src/errors/hub-error.js';
import { MAX_QUERY_LENGTH, parseQuery, parseQueryCondition, printCondition, printQuery, type Expression, type Query } from '../../src/query/index.js';
import { FC_SEED, jobQuery, twinCondition, twinQuery } from './query-arbitraries.js';

const where = (text: string): Expression => parseQuery(`SELECT * FROM devices WHERE ${text}`).where!;
const path = (...segments: string[]): Expression => ({ type: 'path', path: segments });
const constant = (value: unknown): Expression => ({ type: 'constant', value }) as Expression;
const compare = (operator: string, left: Expression, right: Expression): Expression => ({ type: 'comparison', operator, left, right }) as Expression;

/** Asserts a 400 ArgumentInvalid whose message matches. */
function rejects(parse: () => unknown, message: RegExp | string): void {
  assert.throws(parse, (err: unknown) => {
    assert.ok(err instanceof HubError, `expected a HubError, got ${String(err)}`);
    assert.equal(err.code, 'ArgumentInvalid');
    assert.equal(err.httpStatus, 400);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('parseQuery: clauses', () => {
  it('parses SELECT * FROM each collection', () => {
    assert.deepEqual(parseQuery('SELECT * FROM devices'), { collection: 'devices', select: '*' });
    assert.deepEqual(parseQuery('select * from devices.modules'), { collection: 'devices.modules', select: '*' });
    assert.deepEqual(parseQuery('Select * From Devices.Jobs'), { collection: 'devices.jobs', select: '*' });
  });

  it('parses TOP with a non-negative integer only', () => {
    assert.equal(parseQuery('SELECT TOP 10 * FROM devices').top, 10);
    assert.equal(parseQuery('SELECT TOP 0 * FROM devices').top, 0);
    rejects(() => parseQuery('SELECT TOP 1.5 * FROM devices'), "TOP needs a non-negative integer, found '1.5' at position 12");
    rejects(() => parseQuery('SELECT TOP -1 * FROM devices'), /TOP needs a non-negative integer, found '-' at position 12/);
    rejects(() => parseQuery('SELECT TOP 1e3 * FROM devices'), /TOP needs a non-negative integer/);
  });

  it('names projections by alias, else by the last property in canonical casing', () => {
    const query = parseQuery('SELECT DeviceId, LastActivityTime, properties.reported.Temp, tags.[[group]] AS g FROM devices');
    assert.deepEqual(query.select, [
      { type: 'path', path: ['deviceId'], alias: 'deviceId' },
      { type: 'path', path: ['lastActivityTime'], alias: 'lastActivityTime' },
      { type: 'path', path: ['properties', 'reported', 'Temp'], alias: 'Temp' },
      { type: 'path', path: ['tags', 'group'], alias: 'g' },
    ]);
  });

  it('parses aggregates, naming unaliased ones $1, $2, …', () => {
    const query = parseQuery('SELECT COUNT() AS n, AVG(properties.reported.t), sum(tags.x), MIN(tags.y) AS low, max(tags.z) FROM devices');
    assert.deepEqual(query.select, [
      { type: 'aggregate', name: 'COUNT', alias: 'n' },
      { type: 'aggregate', name: 'AVG', path: ['properties', 'reported', 't'], alias: '$1' },
      { type: 'aggregate', name: 'SUM', path: ['tags', 'x'], alias: '$2' },
      { type: 'aggregate', name: 'MIN', path: ['tags', 'y'], alias: 'low' },
      { type: 'aggregate', name: 'MAX', path: ['tags', 'z'], alias: '$3' },
    ]);
  });

  it('parses GROUP BY with the grouped path and aggregates', () => {
    const query = parseQuery('SELECT properties.reported.status AS s, COUNT() AS n FROM devices WHERE tags.a = 1 GROUP BY Properties.Reported.status');
    assert.deepEqual(query.groupBy, ['properties', 'reported', 'status']);
    assert.deepEqual(query.select, [
      { type: 'path', path: ['properties', 'reported', 'status'], alias: 's' },
      { type: 'aggregate', name: 'COUNT', alias: 'n' },
    ]);
    assert.deepEqual(query.where, compare('=', path('tags', 'a'), constant(1)));
  });

  it('rejects clause combinations the hub does not support', () => {
    rejects(() => parseQuery('SELECT deviceId FROM devices.jobs'), 'Queries on devices.jobs only support SELECT * (position 8)');
    rejects(() => parseQuery('SELECT COUNT() AS n FROM devices.jobs'), /only support SELECT \*/);
    rejects(() => parseQuery('SELECT tags.a, COUNT() AS n FROM devices.modules GROUP BY tags.a'), 'GROUP BY is only supported on FROM devices (position 50)');
    rejects(() => parseQuery('SELECT * FROM devices GROUP BY tags.a'), /GROUP BY needs a list of the grouped path and aggregates/);
    rejects(() => parseQuery('SELECT tags.b, COUNT() FROM devices GROUP BY tags.a'), /only the grouped path and aggregates/);
    rejects(() => parseQuery('SELECT tags.b, COUNT() FROM devices'), /only be selected together with GROUP BY/);
    rejects(() => parseQuery('SELECT tags.a, properties.desired.a FROM devices'), /Two selected values are both named 'a' \(position 16\)/);
    rejects(() => parseQuery('SELECT COUNT(tags.a) FROM devices'), 'COUNT() takes no argument (position 14)');
    rejects(() => parseQuery('SELECT IS_DEFINED(tags.a) FROM devices'), /Only attribute paths and aggregates can be selected/);
    rejects(() => parseQuery('SELECT * FROM devices AS d'), "Unexpected token 'AS' at position 23");
    rejects(() => parseQuery('SELECT * FROM devices JOIN devices.modules'), "Unexpected token 'JOIN' at position 23");
    rejects(() => parseQuery('SELECT * FROM foo'), "Expected devices, devices.modules or devices.jobs at position 15, found 'foo'");
    rejects(() => parseQuery('SELECT * FROM devices.foo'), /Expected devices, devices.modules or devices.jobs at position 23/);
    rejects(() => parseQuery(''), 'Expected SELECT at position 1, found end of query');
    const many = Array.from({ length: 41 }, (_, i) => `tags.k${i}`).join(', ');
    rejects(() => parseQuery(`SELECT ${many} FROM devices`), /at most 40 values/);
  });
});

describe('parseQuery: expressions', () => {
  it('gives OR < AND < NOT < comparison precedence and flattens AND/OR chains', () => {
    const a = compare('=', path('tags', 'a'), constant(1));
    const b = compare('=', path('tags', 'b'), constant(2));
    const c = compare('=', path('tags', 'c'), constant(3));
    assert.deepEqual(where('tags.a = 1 OR tags.b = 2 AND NOT tags.c = 3'), {
      type: 'logical',
      operator: 'OR',
      operands: [a, { type: 'logical', operator: 'AND', operands: [b, { type: 'not', operand: c }] }],
    });
    assert.deepEqual(where('tags.a = 1 AND (tags.b = 2 AND tags.c = 3)'), { type: 'logical', operator: 'AND', operands: [a, b, c] });
    assert.deepEqual(where('(tags.a = 1 OR tags.b = 2) AND tags.c = 3'), {
      type: 'logical',
      operator: 'AND',
      operands: [{ type: 'logical', operator: 'OR', operands: [a, b] }, c],
    });
  });

  it('gives * / % precedence over + -, both left-associative, below unary minus', () => {
    const arithmetic = (operator: string, left: Expression, right: Expression) => ({ type: 'arithmetic', operator, left, right }) as Expression;
    assert.deepEqual(
      where('1 + 2 * 3 - 4 % 5 / 6 > -tags.x * 2'),
      compare(
        '>',
        arithmetic(
          '-',
          arithmetic('+', constant(1), arithmetic('*', constant(2), constant(3))),
          arithmetic('/', arithmetic('%', constant(4), constant(5)), constant(6)),
        ),
        arithmetic('*', { type: 'negate', operand: path('tags', 'x') }, constant(2)),
      ),
    );
  });

  it('parses every comparison operator, <> as !=', () => {
    for (const [text, operator] of [
      ['=', '='],
      ['!=', '!='],
      ['<>', '!='],
      ['<', '<'],
      ['>', '>'],
      ['<=', '<='],
      ['>=', '>='],
    ]) {
      assert.deepEqual(where(`version ${text} 3`), compare(operator, path('version'), constant(3)));
    }
  });

  it('parses constants: undefined, null, booleans, decimal and hex numbers, negative literals', () => {
    assert.deepEqual(where('tags.a IN [undefined, null, true, FALSE, 0x1F, 0X0a, 1.5e3, 2E-2, -7, - 0.5, 007]'), {
      type: 'membership',
      negated: false,
      operand: path('tags', 'a'),
      values: [undefined, null, true, false, 31, 10, 1500, 0.02, -7, -0.5, 7],
    });
    assert.deepEqual(where('-5 = tags.a'), compare('=', constant(-5), path('tags', 'a')));
    assert.deepEqual(where('tags.a = -(5)'), compare('=', path('tags', 'a'), constant(-5)));
    assert.ok(Object.is((where('tags.a = -0') as { right: { value: number } }).right.value, -0));
  });

  it('parses strings in both quotes with escapes', () => {
    const value = (text: string) => (where(`tags.a = ${text}`) as { right: { value: unknown } }).right.value;
    assert.equal(value(String.raw`'it\'s'`), "it's");
    assert.equal(value(String.raw`"say \"hi\""`), 'say "hi"');
    assert.equal(value(`"it's"`), "it's");
    assert.equal(value(String.raw`'a\\b'`), 'a\\b');
    assert.equal(value(String.raw`'\u00e9\uD83D\uDE00'`), 'é😀');
    assert.equal(value(String.raw`'tab\there\n'`), 'tab\there\n');
    assert.equal(value(`''`), '');
  });

  it('parses nested array constants and IN / NIN', () => {
    assert.deepEqual(where("deviceId NIN ['a', [1, [true]], []]"), {
      type: 'membership',
      negated: true,
      operand: path('deviceId'),
      values: ['a', [1, [true]], []],
    });
    assert.deepEqual(where('tags.a = [[1], 2]'), compare('=', path('tags', 'a'), constant([[1], 2])));
  });

  it('parses the functions case-insensitively, with their arities', () => {
    assert.deepEqual(where("startswith(deviceId, 'a')"), { type: 'call', name: 'STARTSWITH', args: [path('deviceId'), constant('a')] });
    assert.deepEqual(where("EndsWith(deviceId, 'a')"), { type: 'call', name: 'ENDSWITH', args: [path('deviceId'), constant('a')] });
    for (const name of ['IS_DEFINED', 'IS_ARRAY', 'IS_BOOL', 'IS_NULL', 'IS_NUMBER', 'IS_OBJECT', 'IS_PRIMITIVE', 'IS_STRING']) {
      assert.deepEqual(where(`${name.toLowerCase()}(tags.a)`), { type: 'call', name, args: [path('tags', 'a')] });
    }
  });

  it('escapes reserved words with [[ ]] and accepts any other characters inside', () => {
    assert.deepEqual(where("tags.[[group]].name = 'x'"), compare('=', path('tags', 'group', 'name'), constant('x')));
    assert.deepEqual(where('tags.[[my key.with dots]] = 1'), compare('=', path('tags', 'my key.with dots'), constant(1)));
    assert.deepEqual(where('tags.[[a[0]]] = 1'), compare('=', path('tags', 'a[0]'), constant(1)));
    assert.deepEqual(parseQuery('SELECT tags.a AS [[select]] FROM devices').select, [{ type: 'path', path: ['tags', 'a'], alias: 'select' }]);
  });

  it('matches system property names case-insensitively and keeps user keys as written', () => {
    assert.deepEqual(parseQuery("SELECT * FROM DEVICES WHERE DEVICEID = 'x' AND Tags.Floor = 3 AND PROPERTIES.REPORTED.Temp > 1").where, {
      type: 'logical',
      operator: 'AND',
      operands: [
        compare('=', path('deviceId'), constant('x')),
        compare('=', path('tags', 'Floor'), constant(3)),
        compare('>', path('properties', 'reported', 'Temp'), constant(1)),
      ],
    });
    assert.deepEqual(where('x509thumbprint.PRIMARYTHUMBPRINT = null'), compare('=', path('x509Thumbprint', 'primaryThumbprint'), constant(null)));
    assert.deepEqual(where('properties.desired.$VERSION > 1'), compare('>', path('properties', 'desired', '$version'), constant(1)));
    assert.deepEqual(where('capabilities.IOTEDGE = true'), compare('=', path('capabilities', 'iotEdge'), constant(true)));
    // Below a user key nothing is folded: tags.status is not the twin's status.
    assert.deepEqual(where('tags.Status.DeviceId = 1'), compare('=', path('tags', 'Status', 'DeviceId'), constant(1)));
  });

  it('reads devices.jobs conditions as record fields, accepting createdTimeUtc for createdDateTimeUtc', () => {
    const query = parseQuery(
      "SELECT * FROM devices.jobs WHERE devices.jobs.jobId = 'j' AND DEVICES.JOBS.createdTimeUtc > '2020' AND devices.jobs.Outcome.deviceMethodResponse.Status = 200",
    );
    assert.deepEqual(query.where, {
      type: 'logical',
      operator: 'AND',
      operands: [
        compare('=', path('jobId'), constant('j')),
        compare('>', path('createdDateTimeUtc'), constant('2020')),
        compare('=', path('outcome', 'deviceMethodResponse', 'status'), constant(200)),
      ],
    });
    rejects(
      () => parseQuery("SELECT * FROM devices.jobs WHERE jobId = 'x'"),
      /can only reference job record fields written devices.jobs.<field>; 'jobId' at position 34/,
    );
    rejects(() => parseQuery("SELECT * FROM devices.jobs WHERE devices.jobs = 'x'"), /devices.jobs.<field>/);
    rejects(() => parseQuery("SELECT * FROM devices.jobs WHERE devices.jobs.foo = 'x'"), /devices.jobs has no field 'foo' \(position 47\)/);
  });
});

describe('parseQuery: errors name the problem and its position', () => {
  const cases: [string, string | RegExp][] = [
    ["SELECT * FROM devices WHERE STARTS_WITH(deviceId, 'a')", "Unknown function 'STARTS_WITH' at position 29; use STARTSWITH"],
    ["SELECT * FROM devices WHERE ends_with(deviceId, 'a')", "Unknown function 'ends_with' at position 29; use ENDSWITH"],
    ["SELECT * FROM devices WHERE CONTAINS(deviceId, 'a')", "Unknown function 'CONTAINS' at position 29"],
    ['SELECT * FROM devices WHERE (tags.a = 1))', "Unexpected token ')' at position 41"],
    ['SELECT * FROM devices WHERE', 'Unexpected end of query at position 28'],
    ['SELECT * FROM devices WHERE tags.a = ', 'Unexpected end of query at position 38'],
    ["SELECT * FROM devices WHERE a = 'abc", 'Unterminated string starting at position 33'],
    [String.raw`SELECT * FROM devices WHERE a = '\q'`, String.raw`Invalid escape sequence '\q' at position 34`],
    [String.raw`SELECT * FROM devices WHERE a = '\u12'`, /Invalid escape sequence '\\u12'' at position 34/],
    ['SELECT * FROM devices WHERE a = 1e999', "Number '1e999' is out of range at position 33"],
    ['SELECT * FROM devices WHERE a = 0x', "Invalid number '0x' at position 33"],
    ['SELECT * FROM devices WHERE a = 12abc', "Invalid number '12a' at position 33"],
    ['SELECT * FROM devices WHERE a # 1', "Unexpected character '#' at position 31"],
    ["SELECT * FROM devices WHERE tags.group.name = 'x'", "'group' is a reserved word; write it as [[group]] (position 34)"],
    ['SELECT * FROM devices WHERE tags.[[a', 'Unterminated [[ escape at position 34'],
    ['SELECT * FROM devices WHERE tags.[[]] = 1', 'Empty [[ ]] escape at position 34'],
    ['SELECT * FROM devices WHERE COUNT() > 1', 'Aggregate COUNT() is only allowed in the SELECT list (position 29)'],
    ['SELECT * FROM devices WHERE IS_DEFINED()', 'Function IS_DEFINED takes 1 argument, got 0 (position 29)'],
    ['SELECT * FROM devices WHERE STARTSWITH(deviceId)', 'Function STARTSWITH takes 2 arguments, got 1 (position 29)'],
    ["SELECT * FROM devices WHERE deviceId IN ('a')", "IN and NIN need an array constant such as ['a', 'b'] (position 41)"],
    ['SELECT * FROM devices WHERE deviceId IN [tags.a]', "Array constants can only contain constants; found 'tags' at position 42"],
    ['SELECT * FROM devices WHERE tags. = 1', 'Expected a property name after "." at position 35, found \'=\''],
    ['SELECT * FROM devices WHERE FROM = 1', "Unexpected token 'FROM' at position 29"],
    ['SELECT * FROM devices WHERE tags.a = 1 ORDER BY tags.a', "Unexpected token 'ORDER' at position 40"],
    // No stored document holds U+0000 or an unpaired surrogate, and PostgreSQL cannot bind them (found by the query fuzz).
    [String.raw`SELECT * FROM devices WHERE tags.a = 'x\u0000'`, 'The string at position 38 contains U+0000, which this hub does not support in queries'],
    ['SELECT * FROM devices WHERE tags.[[a\udbff]] = 1', 'The name at position 34 contains U+DBFF, which this hub does not support in queries'],
    ["SELECT * FROM devices WHERE STARTSWITH(tags.a, '\ud83d')", 'The string at position 48 contains U+D83D, which this hub does not support in queries'],
    [String.raw`SELECT * FROM devices WHERE tags.a = '\udc00'`, 'The string at position 38 contains U+DC00, which this hub does not support in queries'],
  ];
  for (const [text, message] of cases) {
    it(text, () => rejects(() => parseQuery(text), message));
  }

  it('rejects U+0000 typed into a string or a [[ ]] name', () => {
    rejects(
      () => parseQuery("SELECT * FROM devices WHERE tags.a = 'x\u0000'"),
      'The string at position 38 contains U+0000, which this hub does not support in queries',
    );
    rejects(
      () => parseQuery('SELECT * FROM devices WHERE tags.[[a\u0000]] = 1'),
      'The name at position 34 contains U+0000, which this hub does not support in queries',
    );
  });

  it(`rejects query text over ${MAX_QUERY_LENGTH} characters and accepts it at the limit`, () => {
    const prefix = "SELECT * FROM devices WHERE deviceId = '";
    const atLimit = `${prefix}${'x'.repeat(MAX_QUERY_LENGTH - prefix.length - 1)}'`;
    assert.equal(atLimit.length, MAX_QUERY_LENGTH);
    assert.equal(parseQuery(atLimit).collection, 'devices');
    rejects(() => parseQuery(`${atLimit} `), `The query is longer than ${MAX_QUERY_LENGTH} characters`);
    // Characters, not UTF-16 units: 8192 emoji are 16384 units.
    const astral = `${prefix}${'😀'.repeat(MAX_QUERY_LENGTH - prefix.length - 1)}'`;
    assert.equal(parseQuery(astral).collection, 'devices');
  });

  it('bounds nesting instead of overflowing the stack', () => {
    rejects(() => where(`${'('.repeat(3000)}1${')'.repeat(3000)} = 1`), /nested more than 64 levels deep/);
    rejects(() => where(`${'NOT '.repeat(1500)}true`), /nested more than 64 levels deep/);
    rejects(() => where(`${'-'.repeat(3000)}tags.a = 1`), /nested more than 64 levels deep/);
    rejects(() => where(`${Array.from({ length: 100 }, () => 'tags.a').join(' + ')} = 1`), /nested more than 64 levels deep/);
    rejects(() => where(`tags.a IN ${'['.repeat(100)}${']'.repeat(100)}`), /nested more than 64 levels deep/);
    // Long AND/OR chains are flat, so they stay well within the limit.
    const chain = Array.from({ length: 300 }, (_, i) => `deviceId = 'd${i}'`).join(' OR ');
    assert.equal((where(chain) as { operands: unknown[] }).operands.length, 300);
  });
});

describe('parseQueryCondition (a job queryCondition)', () => {
  it('accepts a WHERE body, * and FROM devices[.modules] [WHERE …]', () => {
    assert.deepEqual(parseQueryCondition('*'), { collection: 'devices' });
    assert.deepEqual(parseQueryCondition("deviceId = 'd1'"), { collection: 'devices', where: compare('=', path('deviceId'), constant('d1')) });
    assert.deepEqual(parseQueryCondition("DeviceId IN ['d1', 'd2']"), {
      collection: 'devices',
      where: { type: 'membership', negated: false, operand: path('deviceId'), values: ['d1', 'd2'] },
    });
    assert.deepEqual(parseQueryCondition("tags.building = '43' AND tags.floor = 3").where, {
      type: 'logical',
      operator: 'AND',
      operands: [compare('=', path('tags', 'building'), constant('43')), compare('=', path('tags', 'floor'), constant(3))],
    });
    assert.deepEqual(parseQueryCondition('IS_DEFINED(DeviceId)').where, { type: 'call', name: 'IS_DEFINED', args: [path('deviceId')] });
    assert.deepEqual(parseQueryCondition("FROM devices.modules WHERE ModuleId = 'x'"), {
      collection: 'devices.modules',
      where: compare('=', path('moduleId'), constant('x')),
    });
    assert.deepEqual(parseQueryCondition('from devices.modules'), { collection: 'devices.modules' });
    assert.deepEqual(parseQueryCondition('FROM devices WHERE tags.a = 1').collection, 'devices');
  });

  it('rejects full statements, empty text, devices.jobs and trailing input', () => {
    rejects(() => parseQueryCondition('SELECT * FROM devices WHERE tags.a = 1'), /body of a WHERE clause .* a full SELECT statement is not accepted/);
    rejects(() => parseQueryCondition(''), 'The query condition is empty; use * to target every device');
    rejects(() => parseQueryCondition('   '), /is empty/);
    rejects(() => parseQueryCondition("FROM devices.jobs WHERE devices.jobs.jobId = 'j'"), /not devices.jobs/);
    rejects(() => parseQueryCondition('* AND tags.a = 1'), "Unexpected token '*' at position 1");
    rejects(() => parseQueryCondition('tags.a = 1 tags.b = 2'), "Unexpected token 'tags' at position 12");
    rejects(() => parseQueryCondition(`deviceId IN [${"'device-0000', ".repeat(600)}]`), /longer than 8192 characters/);
  });
});

describe('printing and parsing round-trip', () => {
  it('parse(print(query)) is the query, for random twin and device-job queries', () => {
    fc.assert(
      fc.property(fc.oneof(twinQuery, jobQuery), (query: Query) => {
        const text = printQuery(query);
        assert.deepStrictEqual(parseQuery(text), query);
        assert.equal(printQuery(parseQuery(text)), text);
      }),
      { seed: FC_SEED, numRuns: 1000 },
    );
  });

  it('parseQueryCondition(printCondition(condition)) is the condition', () => {
    fc.assert(
      fc.property(fc.option(twinCondition, { nil: undefined }), fc.constantFrom('devices' as const, 'devices.modules' as const), (expression, collection) => {
        const condition = expression ? { collection, where: expression } : { collection };
        assert.deepStrictEqual(parseQueryCondition(printCondition(condition)), condition);
      }),
      { seed: FC_SEED, numRuns: 500 },
    );
  });
});
