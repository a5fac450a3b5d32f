import https from 'node:https';
import type { Duplex } from 'node:stream';

/**
 * The device SDK's MqttWs transport always dials `wss://<host>:443/$iothub/websocket`; this agent
 * (given as `setOptions({ mqtt: { webSocketAgent } })`) sends its connections to the hub's HTTPS port
 * instead, keeping everything else — path, TLS options, client certificate — as the SDK asks.
 */
export class PortAgent extends https.Agent {
  constructor(private readonly port: number) {
    super({ keepAlive: false });
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    return super.createConnection({ ...options, port: this.port }, callback);
  }
}
