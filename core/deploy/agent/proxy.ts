/**
 * The stable endpoint of a service on a node: a small HTTP reverse proxy on the service's port
 * that forwards every request to one of the current replicas (round robin). Switching versions
 * (deploy, rollback) or scaling only changes the target list, so clients keep one URL.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** A replica the proxy may forward to. */
export interface ProxyTarget {
  host: string;
  port: number;
}

/** A running proxy. */
export interface ServiceProxy {
  /** Port bound. */
  port: number;
  /** Replaces the targets (an empty list answers 503). */
  setTargets(targets: ProxyTarget[]): void;
  /** Stops listening and drops kept-alive upstream connections; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on `host:port` (port 0 = any free port).
 *
 * @param name - service name, for error messages
 * @throws Error when the port cannot be bound (e.g. `EADDRINUSE`)
 */
export async function startProxy(name: string, host: string, port: number): Promise<ServiceProxy> {
  let targets: ProxyTarget[] = [];
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const fail = (res: ServerResponse, status: number, code: string, message: string): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: { code, message } }));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (targets.length === 0) {
      req.resume();
      fail(res, 503, 'NO_REPLICA', `service ${name} has no running replica on this node`);
      return;
    }
    const target = targets[next % targets.length] as ProxyTarget;
    next = (next + 1) % 1_000_000;
    const upstream = httpRequest({ host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', (error) => fail(res, 502, 'REPLICA_UNREACHABLE', `replica of ${name} at ${target.host}:${target.port} did not answer: ${error.message}`));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected proxy address ${String(address)}`);
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    setTargets(list) {
      targets = [...list];
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      });
      return closing;
    },
  };
}
