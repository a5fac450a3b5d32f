// Conformance: PauseActivity, UnpauseActivity and ResetActivity reach a heartbeating activity
// as its cancellation with the matching details; a paused activity resumes on unpause, a reset
// one restarts at attempt 1.
import type { Client, WorkflowHandle } from '@temporalio/client';
import assert from 'node:assert/strict';
import { pauseCancellations } from './fixtures/activities.js';
import { waitFor } from './helpers/harness.js';
import { conformanceSuiteInBothModes } from './helpers/scenarios.js';

async function runningPausable(client: Client, taskQueue: string, workflowId: string): Promise<WorkflowHandle> {
  const handle = await client.workflow.start('pausableActivity', { taskQueue, workflowId });
  await waitFor('activity started', async () => (await handle.describe()).raw.pendingActivities?.[0]?.state === 2 || undefined);
  return handle;
}

conformanceSuiteInBothModes('temporal-lite conformance: activity pause and reset', {
  'pause: the activity is cancelled as paused and gets no new attempt until unpaused': {
    liteOnly: 'the activity pause API may be disabled on the reference server',
    run: async ({ client, namespace, taskQueue, id }) => {
      const handle = await runningPausable(client, taskQueue, id('pause'));
      const execution = { workflowId: handle.workflowId };
      await client.workflowService.pauseActivity({ namespace, execution, id: 'pausable', reason: 'conformance' });
      // The SDK heartbeats at most every 4 s (0.8 × the heartbeat timeout): the pause reaches it with the next one.
      await waitFor('cancelled as paused', () => pauseCancellations.get(handle.workflowId)?.includes('paused') || undefined, 30_000);
      await client.workflowService.unpauseActivity({ namespace, execution, id: 'pausable' });
      assert.equal(await handle.result(), 'attempt 2 after paused');
    },
  },

  'reset: the activity is cancelled as reset and restarts at attempt 1': {
    liteOnly: 'the activity reset API may be disabled on the reference server',
    run: async ({ client, namespace, taskQueue, id }) => {
      const handle = await runningPausable(client, taskQueue, id('reset'));
      await client.workflowService.resetActivity({ namespace, execution: { workflowId: handle.workflowId }, id: 'pausable' });
      assert.equal(await handle.result(), 'attempt 1 after reset');
    },
  },
});
