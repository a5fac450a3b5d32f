// The one clock behind every event time, timer, timeout and backoff. Without time skipping it
// is wall time. With time skipping it runs with wall time while anything holds it and otherwise
// jumps straight to the next due timer. As in Temporal's Java test server (SelfAdvancingTimerImpl),
// holds are one count: explicit TestService locks plus one per piece of outstanding work (the work
// probe). An unlock past the explicit locks therefore releases a work hold: an activity that calls
// UnlockTimeSkippingWithSleep while a result() has already unlocked lets time jump, its own
// timeouts included, until the sleep ends and locks again.
import { TimerHeap, type TimerEntry } from './timer-heap.js';

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export type TimerHandle = TimerEntry;

export interface ClockOptions {
  timeSkipping: boolean;
  /** Start with one explicit lock (how the time-skipping test server starts). */
  startLocked?: boolean;
}

export class VirtualClock {
  readonly timeSkipping: boolean;
  private offsetMs = 0;
  private readonly heap = new TimerHeap();
  private seq = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = Infinity;
  private locks: number;
  private workProbe: (enough: number) => number = () => 0;
  private skipCheckQueued = false;
  private closed = false;

  constructor(opts: ClockOptions) {
    this.timeSkipping = opts.timeSkipping;
    this.locks = opts.timeSkipping && opts.startLocked ? 1 : 0;
  }

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Runs `fire` once the virtual time reaches `at` (at once if it already has, on a later tick). */
  schedule(at: number, fire: () => void): TimerHandle {
    const entry: TimerEntry = { at, seq: this.seq++, fire, index: -1 };
    this.heap.push(entry);
    this.arm();
    this.requestSkipCheck();
    return entry;
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle) this.heap.remove(handle);
  }

  /** Tells the clock how to count the pieces of work in progress that each hold time still (it may stop counting at `enough`). */
  setWorkProbe(probe: (enough: number) => number): void {
    this.workProbe = probe;
  }

  lock(): void {
    this.locks++;
  }

  /** Releases one lock; past the explicit ones it offsets a work hold (see the header). */
  unlock(): void {
    this.locks--;
    this.requestSkipCheck();
  }

  /** Asks the clock to consider a jump soon (after the current turn's state changes settle). */
  requestSkipCheck(): void {
    if (!this.timeSkipping || this.skipCheckQueued || this.closed) return;
    this.skipCheckQueued = true;
    setImmediate(() => {
      this.skipCheckQueued = false;
      this.trySkip();
    });
  }

  close(): void {
    this.closed = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    this.heap.clear();
  }

  private trySkip(): void {
    // Held while the work outnumbers the unlocks past the explicit locks.
    if (this.closed || this.locks > 0 || this.workProbe(1 - this.locks) >= 1 - this.locks) return;
    const next = this.heap.peek();
    if (!next) return;
    const now = this.now();
    if (next.at > now) {
      this.offsetMs += next.at - now;
      // The armed wall-clock wake-up was computed for the old offset.
      if (this.wakeTimer) clearTimeout(this.wakeTimer);
      this.wakeTimer = undefined;
      this.wakeAt = Infinity;
    }
    this.fireDue();
  }

  private fireDue(): void {
    const now = this.now();
    for (let entry = this.heap.peek(); entry && entry.at <= now && !this.closed; entry = this.heap.peek()) {
      this.heap.pop();
      entry.fire();
    }
    this.arm();
    this.requestSkipCheck();
  }

  private arm(): void {
    if (this.closed) return;
    const next = this.heap.peek();
    if (!next) return;
    if (this.wakeTimer && this.wakeAt <= next.at) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    const delay = Math.min(Math.max(0, next.at - this.now()), MAX_TIMEOUT_MS);
    this.wakeAt = next.at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeAt = Infinity;
      this.fireDue();
    }, delay);
  }
}
