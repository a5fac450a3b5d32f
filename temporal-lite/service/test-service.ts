// TestService: explicit time-skipping locks and sleeps on the virtual clock.
import { durationMs, timestamp, timestampMs } from '../clock/time.js';
import type { VirtualClock } from '../clock/virtual-clock.js';
import type { CallContext } from '../grpc/call-context.js';
import { failedPrecondition } from '../grpc/errors.js';
import type { TestServiceHandlers } from '../grpc/handlers.js';

/** Waits until the virtual clock reaches `at`; with `unlock`, releases one lock meanwhile. */
function sleepUntil(clock: VirtualClock, at: number, unlock: boolean, ctx: CallContext): Promise<object> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (unlock) clock.lock();
      resolve({});
    };
    const handle = clock.schedule(at, finish);
    if (unlock) clock.unlock();
    ctx.onCancel(() => {
      clock.cancel(handle);
      finish();
    });
  });
}

export function testServiceHandlers(clock: VirtualClock): TestServiceHandlers {
  const requireSkipping = () => {
    if (!clock.timeSkipping) throw failedPrecondition('Time skipping is not enabled on this server.');
  };
  return {
    LockTimeSkipping: () => {
      requireSkipping();
      clock.lock();
      return {};
    },
    UnlockTimeSkipping: () => {
      requireSkipping();
      clock.unlock();
      return {};
    },
    GetCurrentTime: () => ({ time: timestamp(clock.now()) }),
    UnlockTimeSkippingWithSleep: (req, ctx) => {
      requireSkipping();
      return sleepUntil(clock, clock.now() + durationMs(req.duration), true, ctx);
    },
    Sleep: (req, ctx) => sleepUntil(clock, clock.now() + durationMs(req.duration), false, ctx),
    SleepUntil: (req, ctx) => sleepUntil(clock, timestampMs(req.timestamp) ?? clock.now(), false, ctx),
  };
}
