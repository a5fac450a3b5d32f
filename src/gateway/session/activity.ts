import type { HubStore } from '../../registry/store.js';

/**
 * Records devices' `lastActivityTime` without a store write per message: activity is noted in memory
 * and flushed every `intervalMs`, so each device costs at most one write per interval.
 */
export class ActivityRecorder {
  private dirty = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<HubStore, 'recordActivity'>,
    intervalMs: number,
    private readonly onError: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  touch(deviceId: string, at = Date.now()): void {
    this.dirty.set(deviceId, at);
  }

  /** Writes what was noted since the last flush (one flush at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    const batch = this.dirty;
    this.dirty = new Map();
    for (const [deviceId, at] of batch) {
      try {
        await this.store.recordActivity(deviceId, new Date(at));
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
