import type { IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

export interface TlsMaterial {
  key: string | Buffer;
  cert: string | Buffer;
}

export interface ListenOptions {
  /** The servers' TLS options (deviceTlsOptions). */
  tls: TlsOptions;
  host: string;
  /** MQTT over TLS; 0 lets the OS pick. */
  port: number;
  /** MQTT over secure WebSockets on a port of its own (path `/$iothub/websocket`); absent means off. */
  wsPort?: number;
}

export interface Listeners {
  port: number;
  wsPort: number | undefined;
  close(): Promise<void>;
}

/**
 * Takes an HTTP upgrade request if it is for the broker (`/$iothub/websocket`, as IoT Hub serves
 * MQTT over WebSockets on its REST port): returns false, touching nothing, for any other path.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

const WEBSOCKET_PATH = '/$iothub/websocket';

/**
 * Pending connections the kernel may queue per listener (capped by net.core.somaxconn). Node's
 * default of 511 overflows when thousands of devices reconnect at once (after a hub restart or a
 * network outage): the kernel then drops their handshakes and they retry after 1, 3, 7, 15 s.
 */
const LISTEN_BACKLOG = 8192;

/**
 * TLS options for every server devices reach: the hub's certificate, and a client certificate asked
 * for but not required (SAS devices send none; X.509 devices are checked at CONNECT). `socket.authorized`
 * then says whether a client's chain leads to one of `deviceCa` — and only means that when `deviceCa`
 * is given, since without it Node verifies against its default root store.
 */
export function deviceTlsOptions(material: TlsMaterial, deviceCa: string | undefined): TlsOptions {
  return {
    key: material.key,
    cert: material.cert,
    minVersion: 'TLSv1.2',
    requestCert: true,
    rejectUnauthorized: false,
    ...(deviceCa === undefined ? {} : { ca: deviceCa }),
  };
}

/** The broker's WebSocket endpoint, to hang on any HTTPS server's `upgrade` event. */
export function webSocketUpgrade(broker: Aedes): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
  wss.on('connection', (ws, req: IncomingMessage) => broker.handle(createWebSocketStream(ws), req));
  return (req, socket, head) => {
    if (new URL(req.url ?? '/', 'https://hub').pathname !== WEBSOCKET_PATH) return false;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    return true;
  };
}

/** Routes a server's upgrade requests to the handlers; one no handler takes is answered 404. */
export function serveUpgrades(server: Server, handlers: readonly UpgradeHandler[]): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (handlers.some((handle) => handle(req, socket, head))) return;
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
}

/** Puts the broker on the network: MQTTS, and optionally MQTT over WSS on a port of its own. */
export async function listen(broker: Aedes, upgrade: UpgradeHandler, options: ListenOptions): Promise<Listeners> {
  const servers: Server[] = [];
  const close = async () => {
    await Promise.all(servers.filter((server) => server.listening).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  };
  try {
    const mqtts = createTlsServer(options.tls, (socket) => broker.handle(socket));
    servers.push(mqtts);
    const port = await bind(mqtts, options.host, options.port);

    let wsPort: number | undefined;
    if (options.wsPort !== undefined) {
      const https = createHttpsServer(options.tls);
      serveUpgrades(https, [upgrade]);
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
