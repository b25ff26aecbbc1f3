import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../runtime/logger.ts';

export interface Check {
  readonly ok: boolean;
  /** Why not, or what was seen. */
  readonly detail?: string;
}
export type Checks = Readonly<Record<string, Check>>;

export interface OpsEndpoints {
  /** /readyz: 200 when every check is ok, 503 otherwise; the body lists the checks. */
  ready(): Promise<Checks>;
  /** /metrics in Prometheus text format; absent: 404. */
  readonly registry?: Registry;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * /livez, /readyz and /metrics on node:http. /livez answers 200 from the event loop itself: an
 * answer at all means the process loop runs (a blocked loop times the probe out). Readiness is
 * evaluated per request, each check bounded by its own timeout.
 */
export async function startOpsServer(port: number, endpoints: OpsEndpoints, log: Logger): Promise<OpsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, body: unknown) => reply(status, 'application/json', `${JSON.stringify(body)}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(405, { error: 'GET or HEAD only' });
    if (path === '/livez') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      endpoints.ready().then(
        (checks) => {
          const ok = Object.values(checks).every((c) => c.ok);
          json(ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks });
        },
        (e: unknown) => json(503, { status: 'unavailable', error: (e as Error).message }),
      );
      return;
    }
    if (path === '/metrics' && endpoints.registry) {
      const registry = endpoints.registry;
      registry.metrics().then(
        (text) => reply(200, registry.contentType, text),
        (e: unknown) => json(500, { error: (e as Error).message }),
      );
      return;
    }
    json(404, { error: `no ${path}; try /livez, /readyz${endpoints.registry ? ', /metrics' : ''}` });
  });
  // Probes and scrapes are short: a slow client must not hold a socket open.
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ port: bound }, 'http listening (/livez, /readyz, /metrics)');
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
