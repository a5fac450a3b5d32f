// temporal-lite's gRPC handlers under fuzzing: a few hundred random and mutated WorkflowService
// requests through a real gRPC client (`npm run fuzz` runs many more); nothing answers INTERNAL or
// UNKNOWN, the server stays up and answers after.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTemporalLite, type TemporalLite } from '../../temporal-lite/server.js';
import { silentLogger } from '../temporal-lite/helpers/harness.js';
import { runGrpcFuzz } from './grpc-fuzz.js';

describe('temporal-lite gRPC fuzzing', () => {
  let server: TemporalLite;
  before(async () => {
    server = await startTemporalLite({ logger: silentLogger });
  });
  after(() => server.close());

  it('answers random and mutated requests to every WorkflowService method with a status, never INTERNAL, and stays healthy', async () => {
    const report = await runGrpcFuzz(server.address, 400, 15);
    assert.deepEqual(report.failures, [], JSON.stringify(report.codes));
    assert.equal(report.calls, 400);
  });
});
