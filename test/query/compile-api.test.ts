import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { HubError } from '../../src/errors/hub-error.js';
import {
  compileCondition,
  compileMatchingKeys,
  compileQuery,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  pageSizeFromHeader,
  parseQuery,
  type QuerySource,
} from '../../src/query/index.js';
import { encodeContinuation } from '../../src/query/paging.js';

const devices: QuerySource = { table: 'devices', docColumn: 'twin', keyColumn: 'device_id', indexedFields: { deviceId: 'device_id' } };

const argumentInvalid = (message: RegExp) => (err: unknown) => err instanceof HubError && err.code === 'ArgumentInvalid' && message.test(err.message);

/** A small SQLite table to run compiled statements against. */
function database(ids: string[]) {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE devices (device_id TEXT PRIMARY KEY, twin TEXT NOT NULL)');
  for (const id of ids) db.prepare('INSERT INTO devices VALUES (?, ?)').run(id, JSON.stringify({ deviceId: id, tags: { n: id.length } }));
  return {
    rows: (sql: string, params: unknown[]) => db.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as object[],
    close: () => db.close(),
  };
}

describe('page size', () => {
  it('defaults to 100, honours x-ms-max-item-count up to 1000 and rejects non-positive or non-integer values', () => {
    assert.equal(DEFAULT_PAGE_SIZE, 100);
    assert.equal(MAX_PAGE_SIZE, 1000);
    assert.equal(pageSizeFromHeader(undefined), 100);
    assert.equal(pageSizeFromHeader(''), 100);
    assert.equal(pageSizeFromHeader('25'), 25);
    assert.equal(pageSizeFromHeader(' 7 '), 7);
    assert.equal(pageSizeFromHeader('5000'), 1000);
    for (const bad of ['0', '-1', '1.5', 'abc', '10x']) {
      assert.throws(() => pageSizeFromHeader(bad), argumentInvalid(/x-ms-max-item-count must be a positive integer|page size must be a positive integer/), bad);
    }
    assert.throws(() => compileQuery('SELECT * FROM devices', 'sqlite', devices, { pageSize: 0 }), argumentInvalid(/page size/));
  });
});

describe('compileQuery', () => {
  it('reports the item type and binds every query value as a parameter', () => {
    const hostile = "x'); DROP TABLE devices; --";
    const compiled = compileQuery(`SELECT * FROM devices WHERE tags.[[we"ird']] = '${hostile.replace(/'/g, "\\'")}'`, 'postgres', devices);
    assert.equal(compiled.itemType, 'Twin');
    assert.ok(!compiled.sql.includes('DROP TABLE'));
    assert.ok(!compiled.sql.includes('we"ird'));
    assert.ok(compiled.params.includes(hostile));
    assert.equal(compileQuery('SELECT deviceId FROM devices', 'sqlite', devices).itemType, 'Raw');
    assert.equal(compileQuery('SELECT COUNT() AS n FROM devices', 'sqlite', devices).itemType, 'Raw');
    assert.equal(
      compileQuery('SELECT * FROM devices.jobs', 'sqlite', { table: 'device_jobs', docColumn: 'doc', keyColumn: ['job_id', 'device_id'] }).itemType,
      'DeviceJob',
    );
  });

  it('pages by key with opaque continuations, none after the last page or once TOP is reached', () => {
    const db = database(['a', 'b', 'c', 'd', 'e']);
    const page = (query: string, pageSize: number, continuation?: string) => {
      const compiled = compileQuery(query, 'sqlite', devices, { pageSize, continuation });
      return compiled.decodePage(db.rows(compiled.sql, compiled.params));
    };
    const first = page('SELECT * FROM devices', 2);
    assert.deepEqual(
      first.items.map((d) => (d as { deviceId: string }).deviceId),
      ['a', 'b'],
    );
    assert.match(first.continuation!, /^[A-Za-z0-9+/=]+$/);
    const second = page('SELECT * FROM devices', 2, first.continuation);
    assert.deepEqual(
      second.items.map((d) => (d as { deviceId: string }).deviceId),
      ['c', 'd'],
    );
    const third = page('SELECT * FROM devices', 2, second.continuation);
    assert.deepEqual(
      third.items.map((d) => (d as { deviceId: string }).deviceId),
      ['e'],
    );
    assert.equal(third.continuation, undefined);
    // Exactly a full last page: the extra row tells there is nothing more.
    assert.equal(page('SELECT * FROM devices', 5).continuation, undefined);
    const topFirst = page('SELECT TOP 3 * FROM devices', 2);
    const topSecond = page('SELECT TOP 3 * FROM devices', 2, topFirst.continuation);
    assert.equal(topSecond.items.length, 1);
    assert.equal(topSecond.continuation, undefined);
    db.close();
  });

  it('rejects continuation tokens that are malformed or belong to another query', () => {
    const db = database(['a', 'b', 'c']);
    const compiled = compileQuery('SELECT * FROM devices', 'sqlite', devices, { pageSize: 1 });
    const token = compiled.decodePage(db.rows(compiled.sql, compiled.params)).continuation!;
    db.close();
    const withToken = (query: string, continuation: string) => () => compileQuery(query, 'sqlite', devices, { continuation });
    assert.throws(withToken("SELECT * FROM devices WHERE deviceId = 'a'", token), argumentInvalid(/belongs to a different query/));
    assert.throws(withToken('SELECT COUNT() AS n FROM devices', token), argumentInvalid(/continuation token is not valid/));
    for (const bad of [
      'garbage!',
      Buffer.from('null').toString('base64'),
      Buffer.from('{"q":"x","n":-1}').toString('base64'),
      Buffer.from('[1]').toString('base64'),
    ]) {
      assert.throws(withToken('SELECT * FROM devices', bad), argumentInvalid(/continuation token is not valid/), bad);
    }
    // Keys no store holds, which the stores would also compare differently (found by the query fuzz).
    const query = parseQuery('SELECT * FROM devices');
    for (const key of ['a\u0000', '\ud800', 'x\udfffy']) {
      assert.throws(
        withToken('SELECT * FROM devices', encodeContinuation(query, { returned: 1, after: [key] })),
        argumentInvalid(/continuation token is not valid/),
      );
    }
    assert.doesNotThrow(withToken('SELECT * FROM devices', encodeContinuation(query, { returned: 1, after: ['😀'] })));
  });
});

describe('compileCondition and compileMatchingKeys', () => {
  it('compile a job queryCondition with the source extra condition renumbered into the statement', () => {
    const source: QuerySource = { ...devices, extraWhere: { sql: 'src.device_id <> $1 AND src.device_id <> $2', params: ['b', 'd'] } };
    const condition = compileCondition("tags.n = 1 AND deviceId IN ['a', 'b', 'c', 'd']", 'postgres', source);
    // deviceId IN uses the indexed key column; the extra condition's $1, $2 follow the query's 9 parameters.
    assert.match(condition.sql, /src\."device_id" IN \(CAST\(\$6 AS TEXT\)/);
    assert.match(condition.sql, /\(src\.device_id <> \$10 AND src\.device_id <> \$11\)$/);
    assert.deepEqual(condition.params.slice(-2), ['b', 'd']);

    const db = database(['a', 'b', 'c', 'd', 'e']);
    const keys: string[] = [];
    let after: string | undefined;
    do {
      const batch = compileMatchingKeys('tags.n = 1', 'sqlite', source, { limit: 2, after });
      const rows = db.rows(batch.sql, batch.params) as { key_0: string }[];
      keys.push(...rows.map((row) => row.key_0));
      after = rows.length === 2 ? rows[1].key_0 : undefined;
    } while (after);
    assert.deepEqual(keys, ['a', 'c', 'e']);
    db.close();
    assert.throws(() => compileMatchingKeys('*', 'sqlite', devices, { limit: 0 }), RangeError);
    assert.throws(() => compileMatchingKeys('SELECT * FROM devices', 'sqlite', devices, { limit: 1 }), argumentInvalid(/WHERE clause/));
  });
});
