// Starting and stopping temporal-lite's HTTP servers (the HTTP API, the Web UI).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface ListeningServer {
  port: number;
  /** Stops accepting, ends idle keep-alive connections, and resolves once open requests are done. */
  close(): Promise<void>;
}

export async function listen(host: string, port: number, handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<ListeningServer> {
  const server: Server = createServer(handle);
  // Long polls outlive Node's default 5-minute request timeout only by design of the call, not of the socket.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error(`${host}:${port} is not a TCP address`);
  return {
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
