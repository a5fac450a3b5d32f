// close() ends the server for the clients already connected to it too, as a stopped Temporal
// frontend does: the hub's readiness and the crash tests rely on a closed server going quiet.
import { Connection } from '@temporalio/client';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTemporalLite, stderrLogger } from '../../temporal-lite/index.js';

describe('temporal-lite close()', () => {
  it('stops answering a client whose connection was open before the close', async () => {
    const server = await startTemporalLite({ logger: stderrLogger('error') });
    const connection = await Connection.connect({ address: server.address });
    try {
      const describe = () => connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.describeNamespace({ namespace: 'default' }));
      assert.equal((await describe()).namespaceInfo?.name, 'default');
      await server.close();
      await assert.rejects(describe(), 'the call on the connection opened before the close fails');
    } finally {
      await connection.close();
    }
  });
});
