import { finished } from 'node:stream';
import type { Client } from 'aedes';
import type { ConnectionState } from '../../registry/model.js';
import type { Admission } from '../auth/device-auth.js';
import { setConnectionState, type ConnectionIdentity, type IdentityStore } from '../identities.js';
import { atExpiry } from './token-expiry.js';

export interface ConnectionListener {
  /** The device had no connection on this process and now has one (CONNACK sent). */
  deviceOnline(deviceId: string, connectedAt: number): void;
  /**
   * A connection became ready and the device's Connected state (of that connect) is in the store: a
   * reader of the store that hears of it after this finds the device Connected.
   */
  connectionStored(deviceId: string): void;
  /** Any connection of the device became ready, the first one or a replacement. */
  clientReady(deviceId: string, client: Client): void;
  /** The device's last connection on this process is gone. */
  deviceOffline(deviceId: string): void;
  /** A connection's SAS token expired: it is being closed. */
  tokenExpired(deviceId: string): void;
}

interface LiveConnection {
  client: Client;
  readyAt: number;
}

/**
 * Which connection currently speaks for each device on this process, and the device's
 * `connectionState` in the store. A replacement connection (same device id, here or on another
 * process) must not leave the device `Disconnected` when the old one closes, so a device goes offline
 * only when it has neither a live nor an authenticated-but-not-yet-ready connection left.
 */
export class DeviceConnections {
  private readonly live = new Map<string, LiveConnection>();
  private readonly connecting = new Map<string, Set<Client>>();
  /** Devices online here → the time of this process's last Connected write for them. */
  private readonly online = new Map<string, number>();
  /** Connections closed because another process took the device over: that process owns the state. */
  private readonly replaced = new WeakSet<Client>();
  /** What each accepted connection's credentials need from the identity to stay (authenticateDevice). */
  private readonly admissions = new WeakMap<Client, Admission>();
  /** Cancels the end of each SAS-authenticated connection at its token's expiry (IoT Hub ends it then). */
  private readonly expiries = new Map<Client, () => void>();
  private readonly stateWrites = new Map<string, Promise<void>>();
  private onAllOffline: (() => void) | undefined;

  constructor(
    private readonly store: Pick<IdentityStore, 'setConnectionState' | 'setModuleConnectionState'>,
    private readonly listener: ConnectionListener,
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * The device's credentials were accepted; aedes will now replace any older connection. A SAS token's
   * connection ends at `expiresAt` (the device SDKs reconnect with a fresh token before then).
   */
  authenticated(client: Client, admits: Admission, expiresAt?: number): void {
    this.admissions.set(client, admits);
    let set = this.connecting.get(client.id);
    if (!set) this.connecting.set(client.id, (set = new Set()));
    set.add(client);
    // finished() also fires for a connection that closed while its credentials were being checked.
    finished(client.conn, () => this.closed(client));
    if (expiresAt !== undefined) {
      this.expiries.set(
        client,
        atExpiry(expiresAt, () => {
          this.listener.tokenExpired(client.id);
          this.drop(client);
        }),
      );
    }
  }

  ready(client: Client): void {
    const deviceId = client.id;
    if (!this.removeConnecting(client) || client.closed) return;
    const readyAt = Date.now();
    this.live.set(deviceId, { client, readyAt });
    void this.writeState(deviceId, 'Connected', readyAt).then(() => this.listener.connectionStored(deviceId));
    const wasOnline = this.online.has(deviceId);
    this.online.set(deviceId, readyAt);
    if (!wasOnline) this.listener.deviceOnline(deviceId, readyAt);
    this.listener.clientReady(deviceId, client);
  }

  current(deviceId: string): Client | undefined {
    return this.live.get(deviceId)?.client;
  }

  get count(): number {
    return this.live.size;
  }

  /** Drops the device's connection (the device SDK reconnects on its own). */
  disconnect(deviceId: string): boolean {
    const live = this.live.get(deviceId);
    if (!live) return false;
    this.drop(live.client);
    return true;
  }

  /**
   * The device's (or module's) identity is now `identity` (undefined: deleted): drops its connections
   * here, live or still connecting, whose credentials it no longer admits. Returns how many were dropped.
   */
  dropUnadmitted(deviceId: string, identity: ConnectionIdentity | undefined): number {
    const clients = [...(this.connecting.get(deviceId) ?? [])];
    const live = this.live.get(deviceId);
    if (live) clients.push(live.client);
    const unadmitted = clients.filter((client) => !this.admissions.get(client)?.(identity));
    for (const client of unadmitted) this.drop(client);
    return unadmitted.length;
  }

  /**
   * Closes a connection and forgets it at once, so nothing (a method call, a desired patch) is sent to
   * it meanwhile; the device goes offline as usual when the socket has closed.
   */
  private drop(client: Client): void {
    this.removeConnecting(client);
    if (this.live.get(client.id)?.client === client) this.live.delete(client.id);
    client.conn.destroy();
  }

  /** Another process accepted a connection of this device at `connectedAt`: older ones here go. */
  replacedElsewhere(deviceId: string, connectedAt: number): void {
    const live = this.live.get(deviceId);
    if (!live || live.readyAt > connectedAt) return;
    this.replaced.add(live.client);
    live.client.conn.destroy();
  }

  private closed(client: Client): void {
    const deviceId = client.id;
    this.expiries.get(client)?.();
    this.expiries.delete(client);
    this.removeConnecting(client);
    if (this.live.get(deviceId)?.client === client) this.live.delete(deviceId);
    const connectedAt = this.online.get(deviceId);
    if (this.live.has(deviceId) || this.connecting.has(deviceId) || connectedAt === undefined) return;
    this.online.delete(deviceId);
    // Strictly after our Connected write: the store gives a same-millisecond tie to Connected (a tie
    // between two processes), so a connection that lasted under a millisecond must not tie.
    if (!this.replaced.has(client)) this.writeState(deviceId, 'Disconnected', Math.max(Date.now(), connectedAt + 1));
    this.listener.deviceOffline(deviceId);
    if (this.online.size === 0) this.onAllOffline?.();
  }

  private removeConnecting(client: Client): boolean {
    const set = this.connecting.get(client.id);
    if (!set?.delete(client)) return false;
    if (set.size === 0) this.connecting.delete(client.id);
    return true;
  }

  /** One write at a time per device, in event order. */
  private writeState(deviceId: string, state: ConnectionState, at: number): Promise<void> {
    const previous = this.stateWrites.get(deviceId) ?? Promise.resolve();
    const next = previous
      .then(() => setConnectionState(this.store, deviceId, state, new Date(at)))
      .catch(this.onError)
      .finally(() => {
        if (this.stateWrites.get(deviceId) === next) this.stateWrites.delete(deviceId);
      });
    this.stateWrites.set(deviceId, next);
    return next;
  }

  /** Resolves once no device is online here and every state write has reached the store (shutdown). */
  async allOffline(): Promise<void> {
    if (this.online.size > 0) await new Promise<void>((resolve) => (this.onAllOffline = resolve));
    while (this.stateWrites.size > 0) await Promise.all([...this.stateWrites.values()]);
  }
}
