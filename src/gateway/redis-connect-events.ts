import { Redis } from 'ioredis';
import { Batcher, type ConnectEvents } from './connect-events.js';

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
