// A workflow's search attributes as the real SDK encodes them: validation at start/upsert,
// upsert merging, and the round trip through the index back to the SDK's decoders.
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
import {
  decodeSearchAttributes,
  decodeTypedSearchAttributes,
  encodeUnifiedSearchAttributes,
} from '@temporalio/common/lib/converter/payload-search-attributes.js';
import { applySearchAttributeUpsert, createVisibilityService, type IndexedFields, type VisibilityService } from '../../../temporal-lite/visibility/index.js';
import { expectVisibilityError } from './helpers/expect-error.js';
import { CUSTOM_ATTRIBUTES, KEYS } from './helpers/synthetic-records.js';

const NS = 'default';
const typed = (pairs: SearchAttributeUpdatePair[]) => encodeUnifiedSearchAttributes(undefined, pairs) as IndexedFields;
const untyped = (attrs: Record<string, string[] | number[] | boolean[] | Date[]>) => encodeUnifiedSearchAttributes(attrs, undefined) as IndexedFields;
/** The SDK's decoders take its own Payload type. */
const sdk = (fields: IndexedFields) => fields as Parameters<typeof decodeTypedSearchAttributes>[0];
const raw = (data: string, metadata: Record<string, string> = { encoding: 'json/plain' }) => ({
  metadata: Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v)])),
  data: Buffer.from(data),
});

describe('workflow search attributes', () => {
  let db: Database.Database;
  let vis: VisibilityService;
  before(() => {
    db = new Database(':memory:');
    vis = createVisibilityService(db);
    vis.addSearchAttributes({ namespace: NS, searchAttributes: CUSTOM_ATTRIBUTES });
  });
  after(() => db.close());

  const validate = (fields: IndexedFields) => vis.validateSearchAttributes(NS, { indexedFields: fields });
  const invalid = (fields: IndexedFields, message: string | RegExp) => expectVisibilityError(() => validate(fields), 'INVALID_ARGUMENT', message);
  let runCounter = 0;
  /** Writes a run with these attributes and returns them as listed, decoded by the SDK. */
  function roundTrip(fields: IndexedFields) {
    const runId = `run-${++runCounter}`;
    vis.upsert({
      namespace: NS,
      workflowId: runId,
      runId,
      workflowType: 'W',
      taskQueue: 'q',
      status: 'Running',
      startTime: 1_700_000_000_000,
      executionTime: 1_700_000_000_000,
      searchAttributes: { indexedFields: fields },
    });
    const [info] = vis.listWorkflowExecutions({ namespace: NS, query: `RunId = '${runId}'` }).executions;
    return (info.searchAttributes as { indexedFields: IndexedFields } | undefined)?.indexedFields ?? {};
  }

  const EVERY_TYPE: SearchAttributeUpdatePair[] = [
    { key: KEYS.Kw, value: 'Ünïcode "quoted"' },
    { key: KEYS.Txt, value: 'Some free text' },
    { key: KEYS.Num, value: -42 },
    { key: KEYS.Dbl, value: 2.75 },
    { key: KEYS.Flag, value: false },
    { key: KEYS.When, value: new Date('2024-03-04T05:06:07.089Z') },
    { key: KEYS.Tags, value: ['a', 'b c'] },
  ];

  it('accepts typed values of every type, and lists them back as the SDK decodes them', () => {
    const fields = typed(EVERY_TYPE);
    validate(fields);
    const listed = roundTrip(fields);
    assert.deepEqual(decodeTypedSearchAttributes(sdk(listed)), new TypedSearchAttributes(EVERY_TYPE as never));
    for (const [name, payload] of Object.entries(listed)) {
      assert.equal(Buffer.from(payload.metadata!.encoding as Uint8Array).toString(), 'json/plain', name);
      assert.equal(Buffer.from(payload.metadata!.type as Uint8Array).toString(), CUSTOM_ATTRIBUTES[name as keyof typeof CUSTOM_ATTRIBUTES]);
    }
  });

  it('accepts the legacy untyped encoding (one-element arrays) and lists it typed', () => {
    const fields = untyped({ Kw: ['x'], Num: [7], Dbl: [1.5], Flag: [true], When: [new Date('2024-01-01T00:00:00Z')], Tags: ['p', 'q'] });
    validate(fields);
    const listed = roundTrip(fields);
    assert.deepEqual(decodeSearchAttributes(sdk(listed)), {
      Kw: ['x'],
      Num: [7],
      Dbl: [1.5],
      Flag: [true],
      When: [new Date('2024-01-01T00:00:00Z')],
      Tags: ['p', 'q'],
    });
    assert.equal(decodeTypedSearchAttributes(sdk(listed)).get(KEYS.Num), 7);
  });

  it('keeps Int values beyond 2^53 and datetimes to the nanosecond exact', () => {
    const fields = { Num: raw('9007199254740993'), When: raw('"2024-01-01T00:00:00.123456789+01:00"') };
    validate(fields);
    const listed = roundTrip(fields);
    assert.equal(Buffer.from(listed.Num.data as Uint8Array).toString(), '9007199254740993');
    assert.equal(Buffer.from(listed.When.data as Uint8Array).toString(), '"2023-12-31T23:00:00.123456789Z"');
    assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: 'Num = 9007199254740993' }).count, 1);
    assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: 'Num = 9007199254740992' }).count, 0);
    assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: "When = '2023-12-31T23:00:00.123456789Z'" }).count, 1);
    assert.equal(vis.countWorkflowExecutions({ namespace: NS, query: "When = '2023-12-31T23:00:00.123456788Z'" }).count, 0);
  });

  it('rejects values of the wrong type, naming the attribute and its type', () => {
    invalid(untyped({ Num: ['x'] }), 'invalid value for search attribute Num of type Int: ["x"]');
    invalid({ Num: raw('1.5') }, 'invalid value for search attribute Num of type Int: 1.5');
    invalid({ Num: raw('9223372036854775808') }, 'invalid value for search attribute Num of type Int: 9223372036854775808');
    invalid(typed([{ key: { name: 'Flag', type: 'INT' }, value: 1 }] as never), 'invalid value for search attribute Flag of type Bool: 1');
    invalid({ Dbl: raw('"2.5"') }, 'invalid value for search attribute Dbl of type Double: "2.5"');
    invalid({ When: raw('"next tuesday"') }, 'invalid value for search attribute When of type Datetime: "next tuesday"');
    invalid({ Tags: raw('"bare"') }, 'invalid value for search attribute Tags of type KeywordList: "bare"');
    invalid({ Tags: raw('["ok", 1]') }, 'invalid value for search attribute Tags of type KeywordList: ["ok", 1]');
    invalid(untyped({ Kw: ['a', 'b'] }), 'invalid value for search attribute Kw of type Keyword: ["a","b"]');
    invalid({ Kw: raw('x', { encoding: 'binary/plain' }) }, "invalid value for search attribute Kw of type Keyword: <payload with encoding 'binary/plain'>");
    invalid({ Kw: raw('{not json') }, 'invalid value for search attribute Kw of type Keyword: {not json');
    invalid(
      { Kw: { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from([0x22, 0xff, 0x22]) } },
      'invalid value for search attribute Kw of type Keyword: <invalid UTF-8>',
    );
  });

  it('rejects unknown, system and non-settable predefined attributes', () => {
    invalid(untyped({ Nope: ['x'] }), 'search attribute Nope is not defined');
    invalid(untyped({ WorkflowId: ['x'] }), "WorkflowId attribute can't be set in SearchAttributes");
    invalid(untyped({ TemporalWorkerDeployment: ['x'] }), "TemporalWorkerDeployment attribute can't be set in SearchAttributes");
    // What Core upserts when a workflow calls patched(): a KeywordList TemporalChangeVersion.
    validate({ TemporalChangeVersion: raw('["my-patch"]', { encoding: 'json/plain', type: 'KeywordList' }) });
    validate({});
  });

  it('enforces the server limits on value size, key count and total size', () => {
    invalid(typed([{ key: KEYS.Txt, value: 'x'.repeat(2100) }]), 'search attribute Txt value size 2102 exceeds size limit 2048');
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`K${i}`, raw('"x"')]));
    invalid(many, 'number of search attributes 101 exceeds limit 100');
    const big: Record<string, string> = {};
    for (let i = 0; i < 21; i++) big[`Big${i}`] = 'INDEXED_VALUE_TYPE_TEXT';
    vis.addSearchAttributes({ namespace: NS, searchAttributes: big });
    const fields = Object.fromEntries(Object.keys(big).map((k) => [k, raw(JSON.stringify('y'.repeat(2000)))]));
    invalid(fields, /^total size of search attributes \d+ exceeds size limit 40960$/);
  });

  it('treats null, [], binary/null and empty data as unsetting', () => {
    const removal = typed([{ key: KEYS.Kw, value: null }]);
    validate(removal);
    validate(untyped({ Tags: [] }));
    const current = typed([
      { key: KEYS.Kw, value: 'a' },
      { key: KEYS.Num, value: 1 },
      { key: KEYS.Tags, value: ['t'] },
      { key: KEYS.Flag, value: true },
    ]);
    const merged = applySearchAttributeUpsert(current, {
      ...removal,
      ...untyped({ Tags: [] }),
      Flag: { metadata: { encoding: Buffer.from('binary/null') } },
      ...typed([
        { key: KEYS.Num, value: 2 },
        { key: KEYS.Dbl, value: 0.5 },
      ]),
    });
    assert.deepEqual(Object.keys(merged).sort(), ['Dbl', 'Num']);
    assert.equal(decodeTypedSearchAttributes(sdk(merged)).get(KEYS.Num), 2);
    assert.deepEqual(applySearchAttributeUpsert(current, { Kw: { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.alloc(0) } }).Kw, undefined);
    assert.deepEqual(applySearchAttributeUpsert(undefined, undefined), {});
  });

  it('adds the registered type to untyped payloads for describe', () => {
    const { indexedFields } = vis.typedSearchAttributes(NS, { indexedFields: untyped({ Num: [3], Kw: ['k'] }) });
    assert.equal(Buffer.from(indexedFields.Num.metadata!.type as Uint8Array).toString(), 'Int');
    assert.equal(decodeTypedSearchAttributes(sdk(indexedFields)).get(KEYS.Kw), 'k');
    const already = typed([{ key: KEYS.Txt, value: 't' }]);
    assert.deepEqual(vis.typedSearchAttributes(NS, { indexedFields: already }).indexedFields, already);
  });

  it('indexes only what still decodes, so a stale attribute never fails the engine write', () => {
    const listed = roundTrip({ ...typed([{ key: KEYS.Kw, value: 'fine' }]), Gone: raw('"x"'), Num: raw('"not a number"') });
    assert.deepEqual(Object.keys(listed), ['Kw']);
  });
});
