import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startJobsHub, type JobsTestHub } from '../jobs/helpers/jobs-hub.js';
import { FC_SEED } from '../query/query-arbitraries.js';
import { runJobFuzz } from './rest-fuzz.js';

// `npm run fuzz` runs the long version.
const JOB_RUNS = Number(process.env.FUZZ_JOB_RUNS ?? 400);

describe('REST fuzz of job PUTs (SQLite)', () => {
  let hub: JobsTestHub;
  before(async () => {
    hub = await startJobsHub({ settings: { maxActiveJobs: 1_000_000 } });
  });
  after(() => hub?.dispose());

  it(`${JOB_RUNS} job PUTs: 2xx or an IoT Hub 4xx; a refused job does not exist`, async (t) => {
    const figures = await runJobFuzz({ hub: hub.hub, runs: JOB_RUNS, seed: FC_SEED });
    t.diagnostic(JSON.stringify(figures));
    const counts = figures.byTarget['PUT /jobs/v2']!;
    assert.ok(counts.ok > 0 && counts.refused > 0, JSON.stringify(counts));
  });
});
