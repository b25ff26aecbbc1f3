import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../runtime/logger.ts';
import type { Html } from './html.ts';
import { campaignMain, notFoundMain, overviewMain, page } from './pages.ts';
import { listCampaigns, listPilotGates, readAuditTrail, readBottleneckCells, readCampaignDetail, readResultTimeline, type Db } from './queries.ts';

/** How often a live page's <main> is rendered again. */
const LIVE_EVERY_MS = 1_000;

interface View {
  readonly title: string;
  readonly status: number;
  readonly main: Html;
}

/** The view of a path: `/` (campaigns, cells, pilot gates; `?search=` a prefix of campaign and cell ids) or `/campaigns/<id>`. */
export async function render(db: Db, url: URL, now = new Date()): Promise<View | undefined> {
  if (url.pathname === '/') {
    const search = url.searchParams.get('search') ?? '';
    const [campaigns, cells, pilots] = await Promise.all([listCampaigns(db, { limit: 50, search }), readBottleneckCells(db, { limit: 20, search }), listPilotGates(db, 20)]);
    return { title: 'campaigns', status: 200, main: overviewMain({ campaigns, cells, pilots, search }, now) };
  }
  const m = /^\/campaigns\/([^/]+)$/.exec(url.pathname);
  if (!m) return undefined;
  const campaignId = decodeURIComponent(m[1]!);
  const [detail, timeline, audit] = await Promise.all([readCampaignDetail(db, campaignId), readResultTimeline(db, campaignId), readAuditTrail(db, campaignId)]);
  if (!detail) return { title: campaignId, status: 404, main: notFoundMain(`campaign ${campaignId}`, now) };
  return { title: campaignId, status: 200, main: campaignMain({ detail, timeline, audit }, now) };
}

export interface DashboardServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the dashboard on `port` (0: any free port); every query is read-only (read-db.ts). */
export function startDashboard(db: Db, port: number, log: Logger): Promise<DashboardServer> {
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    handle(db, req, res, streams).catch((e: unknown) => {
      log.warn({ err: e, url: req.url }, 'dashboard request failed');
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('the projections cannot be read right now; try again\n');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      const bound = (server.address() as AddressInfo).port;
      log.info({ port: bound }, `dashboard on http://localhost:${bound}/`);
      resolve({
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            for (const s of streams) s.end();
            server.close(() => done());
          }),
      });
    });
  });
}

async function handle(db: Db, req: IncomingMessage, res: ServerResponse, streams: Set<ServerResponse>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard');
  if (req.method !== 'GET') {
    res.writeHead(405, { allow: 'GET' }).end();
    return;
  }
  if (url.pathname === '/livez') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    return;
  }
  if (url.pathname === '/live') {
    live(db, new URL(url.searchParams.get('path') ?? '/', 'http://dashboard'), res, streams);
    return;
  }
  const view = await render(db, url);
  if (!view) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  res.writeHead(view.status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page(view.title, view.main).text);
}

/** Server-sent events: the page's <main> whenever its content changed, checked every second. */
function live(db: Db, path: URL, res: ServerResponse, streams: Set<ServerResponse>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
  streams.add(res);
  let last = '';
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    try {
      const view = await render(db, path);
      // The render time alone does not make a change worth sending.
      const text = view?.main.text ?? '';
      const content = text.replace(/ data-rendered-at="[^"]*"/, '');
      if (content !== last) {
        last = content;
        res.write(`data: ${JSON.stringify(text)}\n\n`);
      }
    } catch {
      // The database is away: the page keeps what it shows, and the next tick tries again.
    }
    if (!res.writableEnded) timer = setTimeout(() => void tick(), LIVE_EVERY_MS);
  };
  res.on('close', () => {
    clearTimeout(timer);
    streams.delete(res);
  });
  void tick();
}
