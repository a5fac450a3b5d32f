/**
 * Devices that connected, as the gateway announces them once their Connected state is in the store,
 * for whoever waits for devices (the jobs worker: src/jobs/device-wake.ts). In-process in the
 * embedded hub; through Redis pub/sub in a cluster (one channel, `{prefix}connected`), where each
 * gateway process sends the ids of an announce interval in one message.
 */
export interface ConnectEvents {
  /** The device connected to this process and its Connected state is stored. */
  connected(deviceId: string): void;
  /**
   * Hears every process's connects, a batch of ids at a time. `onGap` runs when connects may have
   * gone unheard (the Redis subscription was re-established). Resolves, once listening, to the stop.
   */
  listen(listener: (deviceIds: string[]) => void, onGap: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Ids collected for this long go out in one message (a connect storm is a few messages a second). */
const ANNOUNCE_INTERVAL_MS = 50;

/** Collects ids and hands them on in batches, at most one per interval. */
export class Batcher {
  private ids: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly send: (ids: string[]) => void) {}

  add(deviceId: string): void {
    this.ids.push(deviceId);
    this.timer ??= setTimeout(() => this.flush(), ANNOUNCE_INTERVAL_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.ids;
    this.ids = [];
    if (ids.length > 0) this.send(ids);
  }
}

/** Within one process: the embedded hub, and processes without Redis. */
export class LocalConnectEvents implements ConnectEvents {
  private readonly listeners = new Set<(deviceIds: string[]) => void>();
  private readonly batcher = new Batcher((ids) => {
    for (const listener of this.listeners) listener(ids);
  });

  connected(deviceId: string): void {
    if (this.listeners.size > 0) this.batcher.add(deviceId);
  }

  async listen(listener: (deviceIds: string[]) => void): Promise<() => Promise<void>> {
    this.listeners.add(listener);
    return async () => void this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.batcher.flush();
    this.listeners.clear();
  }
}
