// temporal-lite's own metrics: served on --metrics-port (metricsPort), moved by real SDK calls.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { startTemporalLite, type TemporalLite } from '../../temporal-lite/index.js';
import { parseScrape, valueOf } from '../helpers/prometheus.js';
import { silentLogger } from './helpers/harness.js';

describe('temporal-lite metrics', () => {
  let server: TemporalLite;
  before(async () => {
    server = await startTemporalLite({ metricsPort: 0, logger: silentLogger });
  });
  after(() => server?.close());

  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`);
    assert.equal(response.status, 200);
    return parseScrape(await response.text());
  };

  it('counts RPCs by method and gRPC code, times commits, and reports the task queue backlog', async () => {
    const before = await scrape();
    const connection = await Connection.connect({ address: server.address });
    try {
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await connection.workflowService.describeNamespace({ namespace: 'default' });
      await assert.rejects(connection.workflowService.describeNamespace({ namespace: 'no-such-namespace' }));
      await connection.workflowService.startWorkflowExecution({
        namespace: 'default',
        workflowId: 'metrics-wf',
        workflowType: { name: 'anything' },
        taskQueue: { name: 'metrics-queue' },
        requestId: 'metrics-request',
      });
    } finally {
      await connection.close();
    }
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);
    assert.equal(delta('temporal_lite_service_latency_seconds_count', { method: 'WorkflowService/DescribeNamespace', code: 'OK' }), 2);
    assert.equal(delta('temporal_lite_service_latency_seconds_count', { method: 'WorkflowService/DescribeNamespace', code: 'NOT_FOUND' }), 1);
    assert.equal(delta('temporal_lite_service_latency_seconds_count', { method: 'WorkflowService/StartWorkflowExecution', code: 'OK' }), 1);
    assert.ok(delta('temporal_lite_persistence_latency_seconds_count', { operation: 'transaction' }) >= 1);
    // The started workflow's first task waits for a poller: one workflow task in the backlog.
    assert.equal(valueOf(after, 'temporal_lite_approximate_backlog_count', { kind: 'workflow' }), 1);
    assert.equal((await fetch(`http://127.0.0.1:${server.metricsPort}/other`)).status, 404);
  });
});
