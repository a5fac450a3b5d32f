import { connect, type TLSSocket } from 'node:tls';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { createSasToken } from '../../src/auth/sas-token.js';

/** Where a raw connection goes and as whom. */
export interface RawTarget {
  port: number;
  ca: string;
  hostName: string;
}

/**
 * A device connection written byte by byte (TLS, then whatever the fuzz sends), recording every
 * packet the broker sends back (parsed with mqtt-packet) and whether it closed the connection.
 */
export class RawMqttConnection {
  readonly received: Packet[] = [];
  /** Set when the broker's bytes do not parse: the broker wrote a malformed packet. */
  receiveError: Error | undefined;
  closed = false;
  private readonly parser = mqttPacket.parser();
  private readonly listeners = new Set<() => void>();

  private constructor(private readonly socket: TLSSocket) {
    this.parser.on('packet', (packet) => {
      this.received.push(packet);
      this.changed();
    });
    this.parser.on('error', (err: Error) => (this.receiveError ??= err));
    socket.on('data', (chunk: Buffer) => this.parser.parse(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.changed();
    });
  }

  static open(target: RawTarget): Promise<RawMqttConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: target.port, ca: target.ca, servername: 'localhost' });
      socket.once('secureConnect', () => resolve(new RawMqttConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Opens a connection and sends a valid CONNECT for the device (keep-alive in seconds); resolves with its CONNACK code. */
  static async connectDevice(
    target: RawTarget,
    device: { deviceId: string; key: string },
    keepalive: number,
  ): Promise<{ connection: RawMqttConnection; connect: Buffer; returnCode: number }> {
    const connection = await RawMqttConnection.open(target);
    const connectBytes = mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive,
      clientId: device.deviceId,
      username: `${target.hostName}/${device.deviceId}/?api-version=2021-04-12`,
      password: Buffer.from(
        createSasToken({
          sr: encodeURIComponent(`${target.hostName}/devices/${device.deviceId}`),
          key: device.key,
          expiresAt: new Date(Date.now() + 3600_000),
        }),
      ),
    });
    connection.write(connectBytes);
    await connection.until(() => connection.received.length > 0, 10_000);
    const [connack] = connection.received;
    const returnCode = connack?.cmd === 'connack' ? (connack.returnCode ?? -1) : -1;
    return { connection, connect: connectBytes, returnCode };
  }

  write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** Resolves true once `check` holds, false when the connection closed first or `timeoutMs` passed. */
  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(result);
      };
      const listener = () => {
        if (check()) done(true);
        else if (this.closed) done(false);
      };
      const timer = setTimeout(() => done(check()), timeoutMs);
      this.listeners.add(listener);
    });
  }

  /** Resolves once the broker has closed the connection (true) or `timeoutMs` passed (false). */
  closedWithin(timeoutMs: number): Promise<boolean> {
    return this.until(() => this.closed, timeoutMs);
  }

  count(cmd: Packet['cmd']): number {
    return this.received.filter((packet) => packet.cmd === cmd).length;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
