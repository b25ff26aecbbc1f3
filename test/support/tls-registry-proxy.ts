import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * An https front of the schema registry that a test owns (R-SEC-3), as a TLS-terminating gateway
 * in front of a production registry is: it serves with `tls`'s certificate and forwards only
 * requests carrying `Authorization: Bearer <token>`, answering 401 to the rest. `refused` counts
 * those.
 */
export class TlsRegistryProxy {
  readonly #server: Server;
  refused = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: URL, tls: { readonly key: string; readonly cert: string }, token: string): Promise<TlsRegistryProxy> {
    let proxy: TlsRegistryProxy;
    const server = createServer(tls, (req, res) => {
      if (req.headers.authorization !== `Bearer ${token}`) {
        proxy.refused++;
        res.writeHead(401).end();
        return;
      }
      const { authorization: _token, host: _host, ...headers } = req.headers;
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    proxy = new TlsRegistryProxy(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** The registry URL through the proxy: the target's path under https://localhost:<port>. */
  url(path: string): string {
    return `https://localhost:${(this.#server.address() as AddressInfo).port}${path}`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
