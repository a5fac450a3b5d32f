import type { Client } from 'aedes';

/**
 * Publishes straight onto one device's connection, QoS 0, whatever its subscriptions: the device SDK
 * does not re-subscribe twin topics after a reconnect, and aedes's `client.publish` also avoids the
 * broker-level publish that drops the first QoS 1 message after a resumed session (wire spec B.3).
 * A failed write means the connection is going away; the caller's own timeout covers that.
 */
export function sendToDevice(client: Client, topic: string, payload: Buffer | string): void {
  client.publish(
    { cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 0, dup: false, retain: false },
    ignoreWriteError,
  );
}

function ignoreWriteError(): void {}
