// Histories recorded from earlier runs of the job workflows (fixtures/histories, refreshed with
// JOBS_RECORD_HISTORIES=1 on the workflow tests) must replay with the current code: a change that
// would break running jobs fails here. Recorded once more when the job workflow was reshaped
// (top-down, typed outcome, batch progress signals, memo view), before any release.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historyFixtures, replayHistories } from './helpers/jobs.js';

describe('recorded job histories', () => {
  it('replay without nondeterminism', async () => {
    const fixtures = historyFixtures();
    assert.ok(fixtures.length >= 3, `expected recorded histories, found ${fixtures.length}`);
    await replayHistories(fixtures);
  });
});
