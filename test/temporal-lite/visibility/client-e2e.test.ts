// Visibility through the real @temporalio/client (and worker) against temporal-lite in memory.
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTemporalLite, type TemporalLite } from '../../../temporal-lite/index.js';

const TASK_QUEUE = 'visibility-e2e';
const customerKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
const amountKey = defineSearchAttributeKey('Amount', SearchAttributeType.DOUBLE);
const tagsKey = defineSearchAttributeKey('Tags', SearchAttributeType.KEYWORD_LIST);
const dueKey = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);
const notesKey = defineSearchAttributeKey('Notes', SearchAttributeType.TEXT);
const urgentKey = defineSearchAttributeKey('Urgent', SearchAttributeType.BOOL);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A client call failed with gRPC INVALID_ARGUMENT and this message (the client may wrap it). */
function invalidArgument(message: RegExp) {
  return (e: Error & { code?: number; cause?: { code?: number; details?: string } }) => {
    const grpc = e.cause?.code !== undefined ? e.cause : e;
    assert.equal(grpc.code, 3, `${e.message}: not INVALID_ARGUMENT`);
    assert.match((grpc as { details?: string }).details ?? e.message, message);
    return true;
  };
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('visibility with the real Temporal client', () => {
  let server: TemporalLite;
  let connection: Connection;
  let client: Client;

  before(async () => {
    server = await startTemporalLite({ logger: quiet, searchAttributes: ['Stage=Keyword', 'Progress=Int'] });
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });
  });
  after(async () => {
    await connection?.close();
    await server?.close();
  });

  it('registers attributes through the OperatorService and lists them', async () => {
    const IVT = { KEYWORD: 2, TEXT: 1, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };
    await connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: {
        CustomerId: IVT.KEYWORD,
        Amount: IVT.DOUBLE,
        Tags: IVT.KEYWORD_LIST,
        DueAt: IVT.DATETIME,
        Notes: IVT.TEXT,
        Urgent: IVT.BOOL,
      },
    });
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    assert.equal(listed.customAttributes.CustomerId, IVT.KEYWORD);
    assert.equal(listed.customAttributes.Stage, IVT.KEYWORD, 'pre-registered by the searchAttributes option');
    assert.equal(listed.systemAttributes.StartTime, IVT.DATETIME);
    await assert.rejects(
      connection.operatorService.addSearchAttributes({ namespace: 'default', searchAttributes: { WorkflowId: IVT.KEYWORD } }),
      invalidArgument(/Search attribute WorkflowId is reserved by system\./),
    );
    await assert.rejects(
      connection.operatorService.removeSearchAttributes({ namespace: 'default', searchAttributes: ['NoSuch'] }),
      (e: Error & { code?: number }) => e.code === 5,
    );
  });

  it('lists and counts runs by typed search attributes, status and paging', async () => {
    const customers = ['c1', 'c2', 'c1', 'c3', 'c1', 'c2'];
    const handles = [];
    for (const [i, customer] of customers.entries()) {
      handles.push(
        await client.workflow.start('visibilityProbe', {
          taskQueue: 'nobody-polls-this',
          workflowId: `vis-${i}`,
          typedSearchAttributes: [
            { key: customerKey, value: customer },
            { key: amountKey, value: i * 10.5 },
            { key: tagsKey, value: i % 2 ? ['odd', 'all'] : ['even', 'all'] },
            { key: dueKey, value: new Date(Date.UTC(2025, 0, i + 1)) },
            { key: notesKey, value: `Order number ${i} for ${customer}` },
            { key: urgentKey, value: i === 4 },
          ],
        }),
      );
    }
    await handles[1].terminate('test');
    await handles[3].terminate('test');

    const ids = async (query: string, pageSize?: number) => (await collect(client.workflow.list({ query, pageSize }))).map((w) => w.workflowId).sort();
    assert.deepEqual(await ids("CustomerId = 'c1'"), ['vis-0', 'vis-2', 'vis-4']);
    assert.deepEqual(await ids("ExecutionStatus = 'Terminated'"), ['vis-1', 'vis-3']);
    assert.deepEqual(await ids("Tags = 'odd' AND Amount > 20"), ['vis-3', 'vis-5']);
    assert.deepEqual(await ids("DueAt >= '2025-01-05T00:00:00Z' OR Urgent = true"), ['vis-4', 'vis-5']);
    assert.deepEqual(await ids("Notes = 'order c2'"), ['vis-1', 'vis-5']);
    assert.deepEqual(
      await ids("WorkflowType = 'visibilityProbe' AND WorkflowId STARTS_WITH 'vis-'", 2),
      customers.map((_, i) => `vis-${i}`),
    );

    const [probe] = await collect(client.workflow.list({ query: "WorkflowId = 'vis-4'" }));
    assert.equal(probe.typedSearchAttributes.get(customerKey), 'c1');
    assert.equal(probe.typedSearchAttributes.get(urgentKey), true);
    assert.deepEqual(probe.typedSearchAttributes.get(tagsKey), ['even', 'all']);
    assert.equal(probe.typedSearchAttributes.get(dueKey)?.toISOString(), '2025-01-05T00:00:00.000Z');
    assert.equal(probe.status.name, 'RUNNING');
    assert.equal(probe.taskQueue, 'nobody-polls-this');

    assert.deepEqual(await client.workflow.count("WorkflowType = 'visibilityProbe' GROUP BY ExecutionStatus"), {
      count: 6,
      groups: [
        { count: 4, groupValues: [['Running']] },
        { count: 2, groupValues: [['Terminated']] },
      ],
    });
    assert.equal((await client.workflow.count("CustomerId IN ('c2', 'c3')")).count, 3);

    // ORDER BY and ScanWorkflowExecutions over gRPC, paged.
    const ordered = await collect(client.workflow.list({ query: "WorkflowType = 'visibilityProbe' ORDER BY Amount DESC", pageSize: 4 }));
    assert.deepEqual(
      ordered.map((w) => w.workflowId),
      ['vis-5', 'vis-4', 'vis-3', 'vis-2', 'vis-1', 'vis-0'],
    );
    const scanned: string[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.scanWorkflowExecutions({
        namespace: 'default',
        query: "CustomerId = 'c1' OR CustomerId = 'c3'",
        pageSize: 2,
        nextPageToken,
      });
      assert.ok((page.executions ?? []).length <= 2);
      scanned.push(...(page.executions ?? []).map((e) => e.execution!.workflowId!));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    assert.deepEqual(scanned.sort(), ['vis-0', 'vis-2', 'vis-3', 'vis-4']);
  });

  it('answers the gRPC health check as SERVING', async () => {
    const { credentials, Client: GrpcClient } = await import('@grpc/grpc-js');
    const health = new GrpcClient(server.address, credentials.createInsecure());
    try {
      // HealthCheckRequest {} is empty; HealthCheckResponse is field 1, the status enum (1 = SERVING).
      const reply = await new Promise<Buffer>((resolve, reject) =>
        health.makeUnaryRequest(
          '/grpc.health.v1.Health/Check',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          (err, value) => (err ? reject(err) : resolve(value!)),
        ),
      );
      assert.deepEqual([...reply], [0x08, 0x01]);
    } finally {
      health.close();
    }
  });

  it('answers bad filters and bad search attributes with INVALID_ARGUMENT naming the problem', async () => {
    await assert.rejects(collect(client.workflow.list({ query: 'NoSuch = 1' })), invalidArgument(/column name 'NoSuch' is not a valid search attribute/));
    await assert.rejects(client.workflow.count("CustomerId = 'x' AND"), invalidArgument(/malformed SQL query: syntax error/));
    await assert.rejects(
      client.workflow.start('visibilityProbe', {
        taskQueue: 'nobody-polls-this',
        workflowId: 'vis-bad',
        typedSearchAttributes: [{ key: defineSearchAttributeKey('Amount', SearchAttributeType.KEYWORD), value: 'lots' }],
      }),
      invalidArgument(/invalid value for search attribute Amount of type Double: "lots"/),
    );
    await assert.rejects(
      client.workflow.start('visibilityProbe', { taskQueue: 'nobody-polls-this', workflowId: 'vis-bad', searchAttributes: { NoSuch: ['x'] } }),
      invalidArgument(/search attribute NoSuch is not defined/),
    );
  });

  it('follows upserts from workflow code, including patches and unsetting', async () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: join(here, 'fixtures', 'workflows.ts'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const worker = await Worker.create({ connection: nativeConnection, taskQueue: TASK_QUEUE, workflowBundle });
    try {
      await worker.runUntil(async () => {
        const handle = await client.workflow.start('staged', { taskQueue: TASK_QUEUE, workflowId: 'staged-1' });
        const count = async (q: string) => (await client.workflow.count(`WorkflowId = 'staged-1' AND ${q}`)).count;
        await until(async () => (await count("Stage = 'started' AND Progress = 0")) === 1, 'stage started');
        await handle.signal('proceed');
        await until(async () => (await count("Stage = 'two' AND Progress = 50 AND TemporalChangeVersion = 'stage-two'")) === 1, 'stage two');
        await handle.signal('proceed');
        assert.equal(await handle.result(), 'ok');
        assert.equal(await count("Stage = 'done' AND Progress IS NULL AND ExecutionStatus = 'Completed'"), 1);

        const bad = await client.workflow.start('badUpsert', { taskQueue: TASK_QUEUE, workflowId: 'bad-upsert-1' });
        await until(async () => {
          const history = await bad.fetchHistory();
          return history.events!.some((e) => e.workflowTaskFailedEventAttributes);
        }, 'the workflow task to fail');
        const failed = (await bad.fetchHistory()).events!.find((e) => e.workflowTaskFailedEventAttributes)!;
        assert.match(failed.workflowTaskFailedEventAttributes!.failure!.message!, /invalid value for search attribute Stage of type Keyword: 5/);
        await bad.terminate('done');
        await assert.rejects(bad.result(), WorkflowFailedError);
      });
    } finally {
      await nativeConnection.close();
    }
  });
});
