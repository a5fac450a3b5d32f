import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { DesiredPropertiesPatch } from '../../registry/model.js';
import { KeyedWaiters } from '../keyed-waiters.js';
import { gatewayTimeout } from '../methods/outcomes.js';
import type { DeviceEndpoint, DeviceRouter, MethodCall, MethodOutcome } from './device-router.js';
import { LocalDeviceRouter } from './local-router.js';
import { defaultLogger } from '../../logger.js';

/**
 * Routes between gateway processes with Redis pub/sub. Each process subscribes one channel per device
 * connected to it (`{prefix}dev:{id}`), so PUBLISH's receiver count tells at once whether the device is
 * connected anywhere; replies come back on the caller's own channel (`{prefix}reply:{node}`); attaches
 * are announced on `{prefix}online:{id}` for callers waiting out a connect timeout. Devices connected
 * to this process are served without Redis.
 */

type DeviceMessage =
  | { t: 'takeover'; node: string; at: number }
  | { t: 'method'; node: string; id: number; call: MethodCall }
  | { t: 'desired'; change: DesiredPropertiesPatch }
  | { t: 'identity'; node: string };

/** `outcome` absent: the receiving process no longer holds the device. */
interface Reply {
  id: number;
  outcome?: MethodOutcome;
}

interface PendingCall {
  resolve: (outcome: MethodOutcome | undefined) => void;
  timer: NodeJS.Timeout;
  /** Processes that got the call (known once PUBLISH returns); a moving device can be on two. */
  receivers?: number;
  /** Receivers that answered "not here" or DeviceNotOnline; the call fails only when all did. */
  declined: number;
  notOnline?: MethodOutcome;
}

/** Margin over the call's own time limits before a caller stops waiting for a silent process. */
const SILENT_PROCESS_MARGIN_MS = 5_000;

export interface RedisRouterOptions {
  url: string;
  /** Channel prefix, so several hubs can share one Redis. */
  prefix?: string;
  onError?: (err: unknown) => void;
}

export class RedisDeviceRouter implements DeviceRouter {
  private readonly node = randomUUID();
  private readonly local = new LocalDeviceRouter();
  private readonly pending = new Map<number, PendingCall>();
  private readonly online = new KeyedWaiters();
  /** Devices some caller waits for: how many callers, and the SUBSCRIBE to their online channel. */
  private readonly awaited = new Map<string, { waiters: number; subscribed: Promise<unknown> }>();
  private nextCallId = 1;

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly prefix: string,
    private readonly onError: (err: unknown) => void,
  ) {}

  static async connect(options: RedisRouterOptions): Promise<RedisDeviceRouter> {
    const onError = options.onError ?? ((err: unknown) => defaultLogger.error({ err }, 'Redis device router error'));
    const pub = new Redis(options.url, { lazyConnect: true });
    const sub = new Redis(options.url, { lazyConnect: true });
    pub.on('error', onError);
    sub.on('error', onError);
    await Promise.all([pub.connect(), sub.connect()]);
    const router = new RedisDeviceRouter(pub, sub, options.prefix ?? 'iothub:', onError);
    sub.on('message', (channel: string, text: string) => router.onMessage(channel, text));
    await sub.subscribe(router.replyChannel(router.node));
    return router;
  }

  async attach(deviceId: string, endpoint: DeviceEndpoint, connectedAt: number): Promise<void> {
    await this.local.attach(deviceId, endpoint);
    await this.sub.subscribe(this.deviceChannel(deviceId));
    const takeover: DeviceMessage = { t: 'takeover', node: this.node, at: connectedAt };
    await this.pub.publish(this.deviceChannel(deviceId), JSON.stringify(takeover));
    await this.pub.publish(this.onlineChannel(deviceId), this.node);
  }

  async detach(deviceId: string, endpoint: DeviceEndpoint): Promise<void> {
    if (this.local.endpoint(deviceId) !== endpoint) return;
    await this.local.detach(deviceId, endpoint);
    await this.sub.unsubscribe(this.deviceChannel(deviceId));
  }

  async invokeMethod(deviceId: string, call: MethodCall): Promise<MethodOutcome | undefined> {
    const here = this.local.endpoint(deviceId);
    if (here) return here.invokeMethod(call);

    const id = this.nextCallId++;
    const message: DeviceMessage = { t: 'method', node: this.node, id, call };
    const answer = new Promise<MethodOutcome | undefined>((resolve) => {
      const limit = call.subscribeWaitMs + call.responseTimeoutMs + SILENT_PROCESS_MARGIN_MS;
      const timer = setTimeout(() => this.settle(id, gatewayTimeout()), limit);
      this.pending.set(id, { resolve, timer, declined: 0 });
    });
    let receivers: number;
    try {
      receivers = await this.pub.publish(this.deviceChannel(deviceId), JSON.stringify(message));
    } catch (err) {
      this.settle(id, undefined);
      throw err;
    }
    const pending = this.pending.get(id);
    if (pending) {
      pending.receivers = receivers;
      this.settleIfAllDeclined(id, pending);
    }
    return answer;
  }

  async waitForDevice(deviceId: string, timeoutMs: number): Promise<boolean> {
    if (this.local.endpoint(deviceId)) return true;
    const channel = this.onlineChannel(deviceId);
    let interest = this.awaited.get(deviceId);
    if (!interest) this.awaited.set(deviceId, (interest = { waiters: 0, subscribed: this.sub.subscribe(channel) }));
    interest.waiters += 1;
    try {
      await interest.subscribed;
      // Subscribed first, then looked: an attach in between is announced, not missed.
      const [, holders] = (await this.pub.pubsub('NUMSUB', this.deviceChannel(deviceId))) as [string, number];
      return Number(holders) > 0 || (await this.online.wait(deviceId, timeoutMs));
    } finally {
      interest.waiters -= 1;
      if (interest.waiters === 0) {
        this.awaited.delete(deviceId);
        await this.sub.unsubscribe(channel);
      }
    }
  }

  async notifyDesired(change: DesiredPropertiesPatch): Promise<void> {
    const here = this.local.endpoint(change.deviceId);
    if (here) return here.notifyDesired(change);
    const message: DeviceMessage = { t: 'desired', change };
    await this.pub.publish(this.deviceChannel(change.deviceId), JSON.stringify(message));
  }

  async notifyIdentityChanged(deviceId: string): Promise<void> {
    this.local.endpoint(deviceId)?.identityChanged();
    // Published even when the device is here: while it moves it can briefly be held by two processes,
    // and a revoked identity must reach both.
    const message: DeviceMessage = { t: 'identity', node: this.node };
    await this.pub.publish(this.deviceChannel(deviceId), JSON.stringify(message));
  }

  async close(): Promise<void> {
    for (const id of [...this.pending.keys()]) this.settle(id, gatewayTimeout());
    this.online.cancelAll();
    await this.local.close();
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }

  private onMessage(channel: string, text: string): void {
    try {
      if (channel === this.replyChannel(this.node)) return this.onReply(JSON.parse(text) as Reply);
      const onlinePrefix = `${this.prefix}online:`;
      if (channel.startsWith(onlinePrefix)) return this.online.notify(channel.slice(onlinePrefix.length));
      const devicePrefix = `${this.prefix}dev:`;
      if (channel.startsWith(devicePrefix)) {
        this.onDeviceMessage(channel.slice(devicePrefix.length), JSON.parse(text) as DeviceMessage);
      }
    } catch (err) {
      this.onError(err);
    }
  }

  private onDeviceMessage(deviceId: string, message: DeviceMessage): void {
    const endpoint = this.local.endpoint(deviceId);
    switch (message.t) {
      case 'takeover':
        if (message.node !== this.node) endpoint?.replacedElsewhere(message.at);
        return;
      case 'desired':
        endpoint?.notifyDesired(message.change);
        return;
      case 'identity':
        if (message.node !== this.node) endpoint?.identityChanged();
        return;
      case 'method': {
        const reply = (outcome?: MethodOutcome): void => {
          const body: Reply = outcome ? { id: message.id, outcome } : { id: message.id };
          this.pub.publish(this.replyChannel(message.node), JSON.stringify(body)).catch(this.onError);
        };
        if (!endpoint) return reply();
        endpoint.invokeMethod(message.call).then(reply, (err: unknown) => {
          this.onError(err);
          reply(gatewayTimeout());
        });
        return;
      }
    }
  }

  private onReply(reply: Reply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    if (reply.outcome && !(reply.outcome.kind === 'error' && reply.outcome.code === 'DeviceNotOnline')) {
      return this.settle(reply.id, reply.outcome);
    }
    if (reply.outcome) pending.notOnline = reply.outcome;
    pending.declined += 1;
    this.settleIfAllDeclined(reply.id, pending);
  }

  private settleIfAllDeclined(id: number, pending: PendingCall): void {
    if (pending.receivers !== undefined && pending.declined >= pending.receivers) this.settle(id, pending.notOnline);
  }

  private settle(id: number, outcome: MethodOutcome | undefined): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  private deviceChannel(deviceId: string): string {
    return `${this.prefix}dev:${deviceId}`;
  }

  private onlineChannel(deviceId: string): string {
    return `${this.prefix}online:${deviceId}`;
  }

  private replyChannel(node: string): string {
    return `${this.prefix}reply:${node}`;
  }
}
