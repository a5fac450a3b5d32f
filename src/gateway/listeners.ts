import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

export interface TlsMaterial {
  key: string | Buffer;
  cert: string | Buffer;
}

export interface ListenOptions {
  tls: TlsMaterial;
  host: string;
  /** MQTT over TLS; 0 lets the OS pick. */
  port: number;
  /** MQTT over secure WebSockets (path `/$iothub/websocket`, as IoT Hub); absent means off. */
  wsPort?: number;
}

export interface Listeners {
  port: number;
  wsPort: number | undefined;
  close(): Promise<void>;
}

const WEBSOCKET_PATH = '/$iothub/websocket';

/**
 * Pending connections the kernel may queue per listener (capped by net.core.somaxconn). Node's
 * default of 511 overflows when thousands of devices reconnect at once (after a hub restart or a
 * network outage): the kernel then drops their handshakes and they retry after 1, 3, 7, 15 s.
 */
const LISTEN_BACKLOG = 8192;

/** Puts the broker on the network: MQTTS, and optionally MQTT over WSS. */
export async function listen(broker: Aedes, options: ListenOptions): Promise<Listeners> {
  const tlsOptions = { key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' as const };
  const servers: Server[] = [];
  const close = async () => {
    await Promise.all(servers.filter((server) => server.listening).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };
  try {
    const mqtts = createTlsServer(tlsOptions, (socket) => broker.handle(socket));
    servers.push(mqtts);
    const port = await bind(mqtts, options.host, options.port);

    let wsPort: number | undefined;
    if (options.wsPort !== undefined) {
      const https = createHttpsServer(tlsOptions);
      const wss = new WebSocketServer({
        server: https,
        path: WEBSOCKET_PATH,
        handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
      });
      wss.on('connection', (ws, req) => broker.handle(createWebSocketStream(ws), req));
      servers.push(https);
      wsPort = await bind(https, options.host, options.wsPort);
    }
    return { port, wsPort, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function bind(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) =>
      reject(new Error(`Cannot listen for MQTT on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`));
    server.once('error', fail);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', fail);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
