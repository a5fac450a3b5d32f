import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobSummary } from '../../src/jobs/job-summary.js';
import type { JobDefinition } from '../../workflows/types.js';

const job = (operation: JobDefinition['operation'], queryCondition: string): JobDefinition => ({
  jobId: 'j',
  type: operation.kind === 'method' ? 'scheduleDeviceMethod' : 'scheduleUpdateTwin',
  queryCondition,
  createdTime: '2026-12-07T00:00:00.000Z',
  startTime: '2026-12-07T00:00:00.000Z',
  maxExecutionTimeInSeconds: 60,
  operation,
});

describe('the summary a job workflow shows in the Temporal Web UI', () => {
  it('names the method or the twin update, and the devices', () => {
    const call = { methodName: 'reboot', payload: null, connectTimeoutInSeconds: 0, responseTimeoutInSeconds: 30 };
    assert.equal(jobSummary(job({ kind: 'method', call }, "deviceId IN ['a', 'b']")), "Direct method `reboot` on deviceId IN ['a', 'b']");
    assert.equal(jobSummary(job({ kind: 'twin', update: { tags: { a: 1 } } }, '*')), 'Twin update on *');
  });

  it('shortens a long query condition', () => {
    const summary = jobSummary(job({ kind: 'twin', update: { tags: { a: 1 } } }, `tags.site = '${'x'.repeat(500)}'`));
    assert.equal(summary.length, 'Twin update on '.length + 201);
    assert.ok(summary.endsWith('…'));
  });
});
