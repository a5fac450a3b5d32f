// Retention: closed runs are deleted with their history and visibility once the namespace's
// retention has passed (on the virtual clock, advanced here by time skipping).
import { WorkflowNotFoundError } from '@temporalio/client';
import { msToTs } from '@temporalio/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { skipTime, startEnv, startWorker, waitFor, type Env } from './helpers/harness.js';

describe('temporal-lite retention', () => {
  let env: Env;
  before(async () => {
    env = await startEnv({ timeSkipping: true, retentionSweepIntervalMs: 50 });
  });
  after(async () => {
    await env.close();
  });

  it('deletes closed runs after the namespace retention (default 30 days), keeps the others', async () => {
    await env.client.workflowService.registerNamespace({ namespace: 'short-lived', workflowExecutionRetentionPeriod: msToTs('1 day') });
    const shortWorker = await startWorker(env, 'retention', true, { namespace: 'short-lived' });
    const defaultWorker = await startWorker(env, 'retention', true);
    const { Client } = await import('@temporalio/client');
    const shortClient = new Client({ connection: env.connection, namespace: 'short-lived' });
    try {
      await shortClient.workflow.execute('greeting', { taskQueue: 'retention', workflowId: 'expires', args: ['a'] });
      await env.client.workflow.execute('greeting', { taskQueue: 'retention', workflowId: 'stays', args: ['b'] });
      const running = await shortClient.workflow.start('runForever', { taskQueue: 'retention', workflowId: 'still-running' });

      await skipTime(env.server.address, 2 * 24 * 3600 * 1000);
      await waitFor(
        'expired run deleted',
        async () =>
          (await shortClient.workflow
            .getHandle('expires')
            .describe()
            .catch((e: unknown) => e)) instanceof WorkflowNotFoundError || undefined,
      );
      await assert.rejects(shortClient.workflow.getHandle('expires').fetchHistory(), /NOT_FOUND/);
      assert.equal((await shortClient.workflow.count(`WorkflowId = 'expires'`)).count, 0);
      assert.equal((await env.client.workflow.getHandle('stays').describe()).status.name, 'COMPLETED');
      assert.equal((await running.describe()).status.name, 'RUNNING');
      await running.terminate();

      // `default` keeps closed runs 30 days.
      await skipTime(env.server.address, 27 * 24 * 3600 * 1000);
      assert.equal((await env.client.workflow.getHandle('stays').describe()).status.name, 'COMPLETED', 'kept on day 29');
      await skipTime(env.server.address, 2 * 24 * 3600 * 1000);
      await waitFor(
        '30-day-old run deleted',
        async () =>
          (await env.client.workflow
            .getHandle('stays')
            .describe()
            .catch((e: unknown) => e)) instanceof WorkflowNotFoundError || undefined,
      );
    } finally {
      await shortWorker.stop();
      await defaultWorker.stop();
    }
  });
});
