import type { HubStore } from '../../registry/store.js';

/** Devices per store write when flushing. */
const FLUSH_CHUNK = 1000;

/**
 * Records devices' `lastActivityTime` without a store write per message: activity is noted in memory
 * and flushed every `intervalMs` in chunks of many devices, so each device costs at most one row
 * write per interval.
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
    const entries = [...this.dirty].map(([deviceId, at]) => [deviceId, new Date(at)] as const);
    this.dirty = new Map();
    for (let i = 0; i < entries.length; i += FLUSH_CHUNK) {
      try {
        await this.store.recordActivity(entries.slice(i, i + FLUSH_CHUNK));
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
