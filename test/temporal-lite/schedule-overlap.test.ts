// The overlap policies deciding over a schedule's buffered starts: what starts now, what waits,
// what is skipped, and when the running workflow is cancelled or terminated first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideBuffer } from '../../temporal-lite/schedules/buffer.js';
import type { BufferedStart, OverlapPolicy } from '../../temporal-lite/schedules/types.js';

const starts = (count: number, overlapPolicy?: OverlapPolicy): BufferedStart[] =>
  Array.from({ length: count }, (_, i) => ({ nominalTime: i * 1000, actualTime: i * 1000, overlapPolicy, manual: false }));
const policy = (name: string) => `SCHEDULE_OVERLAP_POLICY_${name}` as OverlapPolicy;
const decide = (buffer: BufferedStart[], running: boolean, fallback = 'SKIP') => decideBuffer(buffer, running, (p) => p ?? policy(fallback));

describe('schedule overlap policies', () => {
  it('nothing running: the first start goes, the rest follow its policy', () => {
    const [first, second, third] = starts(3);
    assert.deepEqual(decide([first, second, third], false), {
      overlapping: [],
      nonOverlapping: first,
      buffer: [],
      cancelRunning: false,
      terminateRunning: false,
      skipped: 2,
    });
    assert.deepEqual(decide([first, second, third], false, 'BUFFER_ONE').buffer, [second]);
    assert.equal(decide([first, second, third], false, 'BUFFER_ONE').skipped, 1);
    assert.deepEqual(decide([first, second, third], false, 'BUFFER_ALL').buffer, [second, third]);
  });

  it('running: SKIP skips, BUFFER_ONE keeps one, BUFFER_ALL keeps all', () => {
    const buffer = starts(3);
    assert.deepEqual(decide(buffer, true), { overlapping: [], buffer: [], cancelRunning: false, terminateRunning: false, skipped: 3 });
    assert.deepEqual(decide(buffer, true, 'BUFFER_ONE').buffer, [buffer[0]]);
    assert.deepEqual(decide(buffer, true, 'BUFFER_ALL').buffer, buffer);
  });

  it('CANCEL_OTHER and TERMINATE_OTHER: stop the running one and wait; with none running the latest start wins', () => {
    const buffer = starts(2);
    const cancel = decide(buffer, true, 'CANCEL_OTHER');
    assert.equal(cancel.cancelRunning, true);
    assert.deepEqual(cancel.buffer, buffer);
    const terminate = decide(buffer, true, 'TERMINATE_OTHER');
    assert.equal(terminate.terminateRunning, true);
    assert.equal(terminate.nonOverlapping, undefined);
    assert.equal(decide(buffer, false, 'TERMINATE_OTHER').nonOverlapping, buffer[1]);
  });

  it('ALLOW_ALL starts every start at once, unless the running one is about to be stopped', () => {
    const all = starts(3, policy('ALLOW_ALL'));
    assert.deepEqual(decide(all, true).overlapping, all);
    const mixed = [...all, ...starts(1, policy('TERMINATE_OTHER'))];
    const decision = decide(mixed, true);
    assert.deepEqual(decision.overlapping, []);
    assert.equal(decision.terminateRunning, true);
  });
});
