// Search attribute registry through the OperatorService / WorkflowService handlers.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, afterEach, describe, it } from 'node:test';
import { createVisibilityService, parseSearchAttributeFlag, type VisibilityService } from '../../../temporal-lite/visibility/index.js';
import { expectVisibilityError } from './helpers/expect-error.js';
import { CUSTOM_ATTRIBUTES, makeRecords, toVisibilityRecord } from './helpers/synthetic-records.js';

describe('search attribute registry', () => {
  let db: Database.Database;
  let vis: VisibilityService;
  beforeEach(() => {
    db = new Database(':memory:');
    vis = createVisibilityService(db);
  });
  afterEach(() => db.close());

  const custom = (namespace = 'default') => vis.listSearchAttributes({ namespace }).customAttributes;

  it('adds attributes of every type, per namespace, and lists them with the system ones', () => {
    vis.addSearchAttributes({
      namespace: 'default',
      searchAttributes: {
        AText: 'INDEXED_VALUE_TYPE_TEXT',
        AKeyword: 'INDEXED_VALUE_TYPE_KEYWORD',
        AInt: 'INDEXED_VALUE_TYPE_INT',
        ADouble: 'INDEXED_VALUE_TYPE_DOUBLE',
        ABool: 'INDEXED_VALUE_TYPE_BOOL',
        ADatetime: 'INDEXED_VALUE_TYPE_DATETIME',
        AKeywordList: 7,
      },
    });
    assert.deepEqual(custom(), {
      ABool: 'INDEXED_VALUE_TYPE_BOOL',
      ADatetime: 'INDEXED_VALUE_TYPE_DATETIME',
      ADouble: 'INDEXED_VALUE_TYPE_DOUBLE',
      AInt: 'INDEXED_VALUE_TYPE_INT',
      AKeyword: 'INDEXED_VALUE_TYPE_KEYWORD',
      AKeywordList: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
      AText: 'INDEXED_VALUE_TYPE_TEXT',
    });
    assert.deepEqual(custom('other'), {}, 'namespaces are separate');
    const listed = vis.listSearchAttributes({ namespace: 'default' });
    for (const [name, type] of Object.entries({
      WorkflowId: 'KEYWORD',
      WorkflowType: 'KEYWORD',
      RunId: 'KEYWORD',
      ExecutionStatus: 'KEYWORD',
      StartTime: 'DATETIME',
      CloseTime: 'DATETIME',
      ExecutionTime: 'DATETIME',
      TaskQueue: 'KEYWORD',
      HistoryLength: 'INT',
      ExecutionDuration: 'INT',
      TemporalChangeVersion: 'KEYWORD_LIST',
      BinaryChecksums: 'KEYWORD_LIST',
      BuildIds: 'KEYWORD_LIST',
    })) {
      assert.equal(listed.systemAttributes[name], `INDEXED_VALUE_TYPE_${type}`, name);
    }
    assert.equal(listed.storageSchema.AInt, 'long');
    const keys = vis.getSearchAttributes().keys;
    assert.equal(keys.AKeywordList, 'INDEXED_VALUE_TYPE_KEYWORD_LIST');
    assert.equal(keys.StartTime, 'INDEXED_VALUE_TYPE_DATETIME');
  });

  it('is idempotent for the same name and type; another type is ALREADY_EXISTS', () => {
    vis.addSearchAttributes({ namespace: 'default', searchAttributes: { Customer: 'INDEXED_VALUE_TYPE_KEYWORD' } });
    vis.addSearchAttributes({ namespace: 'default', searchAttributes: { Customer: 'INDEXED_VALUE_TYPE_KEYWORD', Other: 'INDEXED_VALUE_TYPE_INT' } });
    assert.deepEqual(custom(), { Customer: 'INDEXED_VALUE_TYPE_KEYWORD', Other: 'INDEXED_VALUE_TYPE_INT' });
    expectVisibilityError(
      () => vis.addSearchAttributes({ namespace: 'default', searchAttributes: { New: 'INDEXED_VALUE_TYPE_BOOL', Customer: 'INDEXED_VALUE_TYPE_INT' } }),
      'ALREADY_EXISTS',
      'Search attribute Customer already exists with type Keyword; it cannot be added as Int.',
    );
    assert.equal(custom().New, undefined, 'a rejected request adds nothing');
  });

  it('rejects reserved, system and malformed names, unknown types and empty requests', () => {
    const add =
      (searchAttributes: Record<string, unknown>, namespace = 'default') =>
      () =>
        vis.addSearchAttributes({ namespace, searchAttributes });
    expectVisibilityError(add({ WorkflowId: 'INDEXED_VALUE_TYPE_KEYWORD' }), 'INVALID_ARGUMENT', 'Search attribute WorkflowId is reserved by system.');
    expectVisibilityError(add({ BuildIds: 'INDEXED_VALUE_TYPE_KEYWORD_LIST' }), 'INVALID_ARGUMENT', 'Search attribute BuildIds is reserved by system.');
    expectVisibilityError(add({ TemporalFoo: 'INDEXED_VALUE_TYPE_KEYWORD' }), 'INVALID_ARGUMENT', 'Search attribute TemporalFoo is reserved by system.');
    expectVisibilityError(add({ Memo: 'INDEXED_VALUE_TYPE_KEYWORD' }), 'INVALID_ARGUMENT', 'Search attribute Memo is reserved by system.');
    for (const bad of ['', 'has space', '1st', 'a.b', "quote'", 'x'.repeat(256)]) {
      expectVisibilityError(add({ [bad]: 'INDEXED_VALUE_TYPE_KEYWORD' }), 'INVALID_ARGUMENT', /^Search attribute name '.*' is invalid/);
    }
    expectVisibilityError(add({ Foo: 'INDEXED_VALUE_TYPE_UNSPECIFIED' }), 'INVALID_ARGUMENT', 'Unknown search attribute type: INDEXED_VALUE_TYPE_UNSPECIFIED.');
    expectVisibilityError(add({ Foo: 42 }), 'INVALID_ARGUMENT', 'Unknown search attribute type: 42.');
    expectVisibilityError(add({}), 'INVALID_ARGUMENT', 'SearchAttributes are not set on request.');
    expectVisibilityError(add({ Foo: 'INDEXED_VALUE_TYPE_INT' }, ''), 'INVALID_ARGUMENT', 'Namespace is not set on request.');
    assert.deepEqual(custom(), {});
  });

  it('removes custom attributes with their values; unknown is NOT_FOUND, built-in INVALID_ARGUMENT', () => {
    vis.addSearchAttributes({ namespace: 'default', searchAttributes: CUSTOM_ATTRIBUTES });
    const records = makeRecords(30);
    for (const r of records) vis.upsert(toVisibilityRecord(r));
    const withKw = records.filter((r) => r.values.Kw !== undefined).length;
    assert.equal(vis.countWorkflowExecutions({ namespace: 'default', query: 'Kw IS NOT NULL' }).count, withKw);

    expectVisibilityError(
      () => vis.removeSearchAttributes({ namespace: 'default', searchAttributes: ['Kw', 'Nope'] }),
      'NOT_FOUND',
      "Search attribute Nope doesn't exist.",
    );
    expectVisibilityError(
      () => vis.removeSearchAttributes({ namespace: 'default', searchAttributes: ['StartTime'] }),
      'INVALID_ARGUMENT',
      'Unable to remove non-custom search attributes: StartTime.',
    );
    expectVisibilityError(
      () => vis.removeSearchAttributes({ namespace: 'default', searchAttributes: [] }),
      'INVALID_ARGUMENT',
      'SearchAttributes are not set on request.',
    );
    assert.ok('Kw' in custom(), 'a failed remove removes nothing');

    vis.removeSearchAttributes({ namespace: 'default', searchAttributes: ['Kw'] });
    assert.equal(custom().Kw, undefined);
    assert.throws(() => vis.countWorkflowExecutions({ namespace: 'default', query: 'Kw IS NOT NULL' }), /'Kw' is not a valid search attribute/);
    const listed = vis.listWorkflowExecutions({ namespace: 'default', query: '' }).executions;
    for (const e of listed) {
      const fields = (e.searchAttributes as { indexedFields: Record<string, unknown> } | undefined)?.indexedFields ?? {};
      assert.equal(fields.Kw, undefined, 'lists no longer return the removed attribute');
    }
    // Re-added, it starts empty (no stale values), and new writes index again.
    vis.addSearchAttributes({ namespace: 'default', searchAttributes: { Kw: 'INDEXED_VALUE_TYPE_KEYWORD' } });
    assert.equal(vis.countWorkflowExecutions({ namespace: 'default', query: 'Kw IS NOT NULL' }).count, 0);
    vis.upsert(toVisibilityRecord(records.find((r) => r.values.Kw !== undefined)!));
    assert.equal(vis.countWorkflowExecutions({ namespace: 'default', query: 'Kw IS NOT NULL' }).count, 1);
  });

  it('pre-registers attributes from --search-attribute flags', () => {
    vis.registerSearchAttributes('default', ['Customer=Keyword', 'Amount=double', 'Tags=KeywordList', 'When=DATETIME']);
    assert.deepEqual(custom(), {
      Amount: 'INDEXED_VALUE_TYPE_DOUBLE',
      Customer: 'INDEXED_VALUE_TYPE_KEYWORD',
      Tags: 'INDEXED_VALUE_TYPE_KEYWORD_LIST',
      When: 'INDEXED_VALUE_TYPE_DATETIME',
    });
    assert.deepEqual(parseSearchAttributeFlag(' Level = Int '), { name: 'Level', type: 'Int' });
    for (const bad of ['NoType', '=Keyword', 'X=Number', 'X=']) {
      expectVisibilityError(() => parseSearchAttributeFlag(bad), 'INVALID_ARGUMENT', new RegExp(`^invalid search attribute '${bad}'`));
    }
  });

  it('persists in the database file across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vis-registry-'));
    try {
      const file = join(dir, 'temporal.db');
      const first = new Database(file);
      createVisibilityService(first).addSearchAttributes({ namespace: 'default', searchAttributes: { Customer: 'INDEXED_VALUE_TYPE_KEYWORD' } });
      first.close();
      const second = new Database(file);
      const again = createVisibilityService(second);
      assert.deepEqual(again.listSearchAttributes({ namespace: 'default' }).customAttributes, { Customer: 'INDEXED_VALUE_TYPE_KEYWORD' });
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
