import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the shared PostgreSQL server, so a test can make "the database" refuse
 * connections for a while without touching the server every other test file uses.
 */
export interface TcpProxy {
  readonly port: number;
  /** Drops every open connection and refuses new ones (the port is closed) for `ms`. */
  refuse(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const serve = (): Server =>
    createServer((client) => {
      const upstream = connect(target.port, target.host);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
  let server = serve();
  const port = await listen(server, 0);
  const closeServer = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    async refuse(ms) {
      const closed = closeServer();
      dropAll();
      await closed;
      await new Promise((resolve) => setTimeout(resolve, ms));
      server = serve();
      await listen(server, port);
    },
    async close() {
      const closed = closeServer();
      dropAll();
      await closed;
    },
  };
}
