// Chaos, small: the all-in-one hub SIGKILLed twice during a mixed workload of method and twin jobs
// (some scheduled) on 200 real MQTT devices, restarted on the same data directory each time; no
// job lost or stuck, one truthful record per device and job, every twin value present once, no
// method called twice. `npm run chaos` runs the long version (bench/chaos.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chaosReport, runChaos } from './chaos-run.js';

describe('chaos: SIGKILLs of the all-in-one hub during a mixed workload', () => {
  it('loses no job, leaves none stuck, and every record, twin and call is as the devices saw it', async (t) => {
    const figures = await runChaos({ devices: 200, jobs: 6, kills: 2, seed: 15, answerDelayMs: [300, 2500], killAfterMs: [3000, 7000], settleMs: 150_000 });
    const report = chaosReport(figures);
    for (const line of report.split('\n')) t.diagnostic(line);
    assert.equal(figures.kills, 2, report);
    for (const figure of [
      'lost',
      'stuck',
      'notCompleted',
      'recordsWrong',
      'statisticsWrong',
      'twinDoubleApplied',
      'twinValuesMissing',
      'methodDuplicates',
    ] as const) {
      assert.equal(figures[figure], 0, `${figure}\n${report}`);
    }
  });
});
