// Registration of the jobs' search attributes at start-up: idempotent (every hub process runs it,
// also several at once), and a clash with an attribute of another type is named, not ignored.
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import proto from '@temporalio/proto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ensureJobSearchAttributes } from '../../src/temporal/search-attributes.js';
import { startTemporalLite, stderrLogger, type TemporalLite } from '../../temporal-lite/index.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;

describe('job search attributes', () => {
  let temporal: TemporalLite;
  let connection: Connection;
  const custom = async (namespace: string) =>
    Object.fromEntries(
      Object.entries((await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {}).map(([name, type]) => [name, Number(type)]),
    );

  before(async () => {
    temporal = await startTemporalLite({ logger: stderrLogger('error') });
    connection = await Connection.connect({ address: temporal.address });
  });
  after(async () => {
    await connection?.close();
    await temporal?.close();
  });

  it('registers JobType, JobStatus, JobCreatedTime and QueryCondition once, however often and concurrently it runs', async () => {
    await Promise.all([1, 2, 3].map(() => ensureJobSearchAttributes(connection, 'default')));
    await ensureJobSearchAttributes(connection, 'default');
    assert.deepEqual(await custom('default'), {
      JobType: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      JobStatus: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
      JobCreatedTime: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
      QueryCondition: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
    });
  });

  it('refuses to start over an attribute of the same name with another type, naming it', async () => {
    await connection.workflowService.registerNamespace({ namespace: 'clash', workflowExecutionRetentionPeriod: msToTs('1 day') });
    await connection.operatorService.addSearchAttributes({ namespace: 'clash', searchAttributes: { JobStatus: IndexedValueType.INDEXED_VALUE_TYPE_TEXT } });
    await assert.rejects(
      ensureJobSearchAttributes(connection, 'clash'),
      /Search attribute JobStatus exists in namespace 'clash' as INDEXED_VALUE_TYPE_TEXT, but the jobs engine needs INDEXED_VALUE_TYPE_KEYWORD/,
    );
    assert.deepEqual(await custom('clash'), { JobStatus: IndexedValueType.INDEXED_VALUE_TYPE_TEXT }, 'nothing was added');
  });
});
