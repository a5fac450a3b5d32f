import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import type { TlsOptions } from 'node:tls';
import { serveUpgrades, type UpgradeHandler } from '../gateway/listeners.js';

/** The device gateway's WebSocket endpoint on the REST port (IoT Hub serves `/$iothub/websocket` on 443). */
export interface ApiWebSocket {
  upgrade: UpgradeHandler;
  /** TLS options of the HTTPS server for devices (client certificates asked for, not required). */
  tls: TlsOptions;
}

export interface ApiServerOptions {
  /** Address to bind (127.0.0.1 for local use and tests, 0.0.0.0 in containers). */
  host: string;
  /** HTTPS port; 0 picks a free one. */
  httpsPort: number;
  /** Plain HTTP port for local tools; 0 picks a free one; undefined = no plain HTTP. */
  httpPort?: number;
  tls: { key: string; cert: string };
  /** Upgrade requests for the broker's path go to it, everything else to the app. */
  webSocket?: ApiWebSocket;
}

export interface ApiServers {
  httpsPort: number;
  httpPort?: number;
  close(): Promise<void>;
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) =>
      reject(new Error(`Cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections(); // SDK agents keep connections alive; don't wait for them
  });
}

/** Serves the app over HTTPS (and plain HTTP when asked). */
export async function startApiServers(app: RequestListener, options: ApiServerOptions): Promise<ApiServers> {
  const servers: http.Server[] = [];
  try {
    // IoT Hub requires TLS 1.2 or later; said here too, so no runtime default (e.g. --tls-min-v1.0) can lower it.
    const secure = https.createServer({ key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2', ...options.webSocket?.tls }, app);
    if (options.webSocket) serveUpgrades(secure, [options.webSocket.upgrade]);
    servers.push(secure);
    const httpsPort = await listen(secure, options.httpsPort, options.host);
    let httpPort: number | undefined;
    if (options.httpPort !== undefined) {
      const plain = http.createServer(app);
      servers.push(plain);
      httpPort = await listen(plain, options.httpPort, options.host);
    }
    return { httpsPort, httpPort, close: async () => void (await Promise.all(servers.map(close))) };
  } catch (err) {
    await Promise.all(servers.filter((server) => server.listening).map(close));
    throw err;
  }
}
