import type { Client } from 'aedes';
import { unstorableJson } from '../../registry/json.js';
import { KeyedWaiters } from '../keyed-waiters.js';
import type { GatewayMetrics } from '../metrics.js';
import type { MethodCall, MethodOutcome } from '../routing/device-router.js';
import { sendToDevice } from '../session/send.js';
import { isSubscribedTo } from '../session/subscriptions.js';
import { METHODS_SUBSCRIPTION, methodRequestTopic } from '../topics.js';
import { deviceNotOnline, gatewayTimeout } from './outcomes.js';

interface PendingResponse {
  deviceId: string;
  rid: string;
  resolve: (outcome: MethodOutcome) => void;
  timer: NodeJS.Timeout;
}

const SAMPLE_METHOD_TOPIC = methodRequestTopic('m', '1');

/**
 * The gateway side of direct methods: sends requests to devices connected to this process and matches
 * their `$iothub/methods/res/{status}/?$rid=` answers. A connected device that has not subscribed to
 * methods yet is given until `call.subscribeWaitMs` to do so.
 */
export class MethodDispatcher {
  /** By request id (unique in this process; the answer's device and rid text must match too). */
  private readonly pending = new Map<number, PendingResponse>();
  private readonly subscribed = new KeyedWaiters();
  private nextRid = 1;
  private lastBody?: { payload: unknown; body: Buffer };

  constructor(
    private readonly currentClient: (deviceId: string) => Client | undefined,
    private readonly metrics: GatewayMetrics,
  ) {}

  /** The device's connection may now accept method requests (it subscribed, or it reconnected). */
  methodsMaybeReady(deviceId: string): void {
    this.subscribed.notify(deviceId);
  }

  invoke(deviceId: string, call: MethodCall): Promise<MethodOutcome> {
    const client = this.subscribedClient(deviceId);
    // The usual case, kept free of extra promises: a job calls thousands of devices a second.
    return client ? this.send(client, deviceId, call, call.responseTimeoutMs) : this.invokeOnceSubscribed(deviceId, call);
  }

  /** A device connected but not subscribed yet, or not connected here (any more). */
  private async invokeOnceSubscribed(deviceId: string, call: MethodCall): Promise<MethodOutcome> {
    const started = Date.now();
    let client: Client | undefined;
    while (!client) {
      const left = call.subscribeWaitMs - (Date.now() - started);
      if (!(await this.subscribed.wait(deviceId, left))) return deviceNotOnline();
      client = this.subscribedClient(deviceId);
    }
    const beyondConnectTimeout = Math.max(0, Date.now() - started - call.connectRemainingMs);
    return this.send(client, deviceId, call, call.responseTimeoutMs - beyondConnectTimeout);
  }

  /** A device's answer; false when no call is waiting for it (late, or not ours). */
  handleResponse(deviceId: string, rid: string, status: number, body: Buffer): boolean {
    const key = Number.parseInt(rid, 16);
    const pending = this.pending.get(key);
    if (!pending || pending.deviceId !== deviceId || pending.rid !== rid) return false;
    this.pending.delete(key);
    clearTimeout(pending.timer);
    this.metrics.count('methodResponses');
    pending.resolve({ kind: 'response', status, payload: parsePayload(body) });
    return true;
  }

  close(): void {
    this.subscribed.cancelAll();
    for (const [key, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(key);
      pending.resolve(gatewayTimeout());
    }
  }

  private subscribedClient(deviceId: string): Client | undefined {
    const client = this.currentClient(deviceId);
    return client && isSubscribedTo(client, SAMPLE_METHOD_TOPIC, METHODS_SUBSCRIPTION) ? client : undefined;
  }

  private send(client: Client, deviceId: string, call: MethodCall, timeoutMs: number): Promise<MethodOutcome> {
    const key = this.nextRid++;
    const rid = key.toString(16);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        this.metrics.count('methodTimeouts');
        resolve(gatewayTimeout());
      }, timeoutMs);
      this.pending.set(key, { deviceId, rid, resolve, timer });
      this.metrics.count('methodRequests');
      sendToDevice(client, methodRequestTopic(call.methodName, rid), this.body(call.payload));
    });
  }

  /**
   * The request body; the last one is kept, since a job sends the same payload to every device.
   * `null` for a null payload: an empty body makes the SDK answer 400 by itself (wire spec B.2).
   */
  private body(payload: unknown): Buffer {
    if (!this.lastBody || this.lastBody.payload !== payload) this.lastBody = { payload, body: Buffer.from(JSON.stringify(payload ?? null)) };
    return this.lastBody.body;
  }
}

/**
 * The device's body as JSON; an empty body is null. Text that is not JSON, or JSON the hub cannot keep
 * (nested too deep to handle, or holding U+0000 or unpaired surrogates, which no store can hold) is
 * kept as a string, its U+0000 characters replaced by U+FFFD as undecodable bytes are.
 */
function parsePayload(body: Buffer): unknown {
  if (body.length === 0) return null;
  const text = body.toString('utf8');
  try {
    const payload: unknown = JSON.parse(text);
    if (unstorableJson(payload) === undefined) return payload;
  } catch {
    // not JSON: kept as text
  }
  return text.replaceAll('\u0000', '\ufffd');
}
