import { Redis } from 'ioredis';

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
class Batcher {
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

/** Between processes, through Redis pub/sub. */
export class RedisConnectEvents implements ConnectEvents {
  private readonly pub: Redis;
  private readonly subscribers = new Set<Redis>();
  private readonly channel: string;
  private readonly batcher = new Batcher((ids) => void this.pub.publish(this.channel, JSON.stringify(ids)).catch(this.onError));

  constructor(
    private readonly url: string,
    prefix: string,
    private readonly onError: (err: unknown) => void,
  ) {
    this.channel = `${prefix}connected`;
    this.pub = new Redis(url, { lazyConnect: true });
    this.pub.on('error', onError);
  }

  connected(deviceId: string): void {
    this.batcher.add(deviceId);
  }

  async listen(listener: (deviceIds: string[]) => void, onGap: () => void): Promise<() => Promise<void>> {
    const sub = new Redis(this.url, { lazyConnect: true });
    sub.on('error', this.onError);
    sub.on('message', (_channel: string, text: string) => {
      try {
        const ids: unknown = JSON.parse(text);
        if (Array.isArray(ids)) listener(ids.filter((id): id is string => typeof id === 'string'));
      } catch (err) {
        this.onError(err);
      }
    });
    await sub.connect();
    await sub.subscribe(this.channel);
    // Every later 'ready' is a reconnect (ioredis subscribes again): what was published meanwhile is lost.
    sub.on('ready', onGap);
    this.subscribers.add(sub);
    return async () => {
      this.subscribers.delete(sub);
      await sub.quit().catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.batcher.flush();
    await Promise.allSettled([...[...this.subscribers].map((sub) => sub.quit()), this.pub.quit()]);
    this.subscribers.clear();
  }

  static async connect(url: string, prefix: string, onError: (err: unknown) => void): Promise<RedisConnectEvents> {
    const events = new RedisConnectEvents(url, prefix, onError);
    await events.pub.connect();
    return events;
  }
}
