// The virtual clock: wall time while held, jumps to the next timer when nothing holds it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualClock } from '../../temporal-lite/clock/virtual-clock.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('virtual clock', () => {
  it('without time skipping it is wall time and timers fire on time', async () => {
    const clock = new VirtualClock({ timeSkipping: false });
    assert.ok(Math.abs(clock.now() - Date.now()) < 5);
    const fired = await new Promise<number>((resolve) => {
      const t0 = Date.now();
      clock.schedule(clock.now() + 30, () => resolve(Date.now() - t0));
    });
    assert.ok(fired >= 25);
    clock.close();
  });

  it('jumps to the next timer when unlocked and idle, in order', async () => {
    const clock = new VirtualClock({ timeSkipping: true, startLocked: true });
    const start = clock.now();
    const order: string[] = [];
    clock.schedule(start + 3_600_000, () => order.push('1h'));
    clock.schedule(start + 60_000, () => order.push('1m'));
    await tick();
    assert.deepEqual(order, [], 'locked: nothing fires');
    clock.unlock();
    for (let i = 0; i < 5; i++) await tick();
    assert.deepEqual(order, ['1m', '1h']);
    assert.ok(clock.now() - start >= 3_600_000);
    clock.close();
  });

  it('outstanding work holds time still', async () => {
    const clock = new VirtualClock({ timeSkipping: true });
    let busy = true;
    clock.setWorkProbe(() => (busy ? 1 : 0));
    const start = clock.now();
    let fired = false;
    clock.schedule(start + 86_400_000, () => (fired = true));
    for (let i = 0; i < 3; i++) await tick();
    assert.equal(fired, false);
    busy = false;
    clock.requestSkipCheck();
    for (let i = 0; i < 3; i++) await tick();
    assert.equal(fired, true);
    clock.close();
  });

  it('an unlock past the explicit locks releases one piece of work, not two', async () => {
    const clock = new VirtualClock({ timeSkipping: true });
    let work = 2;
    clock.setWorkProbe(() => work);
    let fired = false;
    clock.schedule(clock.now() + 86_400_000, () => (fired = true));
    clock.unlock();
    for (let i = 0; i < 3; i++) await tick();
    assert.equal(fired, false, 'two pieces of work, one released');
    work = 1;
    clock.requestSkipCheck();
    for (let i = 0; i < 3; i++) await tick();
    assert.equal(fired, true);
    clock.close();
  });

  it('a cancelled timer never fires', async () => {
    const clock = new VirtualClock({ timeSkipping: true });
    let fired = false;
    const h = clock.schedule(clock.now() + 1000, () => (fired = true));
    clock.cancel(h);
    for (let i = 0; i < 3; i++) await tick();
    assert.equal(fired, false);
    clock.close();
  });
});
