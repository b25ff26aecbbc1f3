import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardPortAfter } from '../services/dashboard/config.ts';
import { serviceNames } from '../services/ops/services.ts';
import { parseRuntimeConfig } from '../services/runtime/config.ts';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { createTopology, type Topology } from '../scripts/lib/topology.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { expectCellsWithinLimits, expectOneResultEach, runToCompletion } from './support/campaign-checks.ts';
import { freeBasePort, OtaflowProcess } from './support/otaflow-process.ts';

/** `otaflow run` on a topology and a database of its own, as an operator runs it. */
describe('otaflow run', () => {
  let t: Topology;
  let otaflow: OtaflowProcess;
  const shared = new URL(parseRuntimeConfig(process.env).databaseUrl);
  const database = `otaflow_run_${randomUUID().slice(0, 8)}`;
  const own = new URL(shared);
  own.pathname = `/${database}`;
  const maintenance = new URL(shared);
  maintenance.pathname = '/postgres';

  beforeAll(async () => {
    t = await createTopology('otaflow-run');
    otaflow = new OtaflowProcess({ ...t.env, DATABASE_URL: own.toString() }, await freeBasePort(), t.prefix.slice(0, -1));
  });
  afterAll(async () => {
    // A no-op after the last test's graceful stop; ends the services if a test failed before it.
    otaflow?.signal('SIGKILL');
    await otaflow?.exited;
    await t?.dispose();
    const client = new pg.Client({ connectionString: maintenance.toString() });
    await client.connect();
    await client.query(`drop database if exists "${database}" with (force)`);
    await client.end();
  });

  it('provisions, starts every service in its own process, and each answers /livez, /readyz and /metrics on its own port', async () => {
    await waitFor('otaflow run to be ready (every service ready)', async () => (await otaflow.get('/readyz').catch(() => ({ status: 0 }))).status === 200, 120_000, 250);
    expect(otaflow.lines.some((l) => l.includes('"msg":"migrations: created the database at'))).toBe(true);
    for (const name of serviceNames) {
      expect((await otaflow.get('/livez', name)).status, name).toBe(200);
      const ready = await otaflow.get('/readyz', name);
      expect(ready.status, `${name}: ${ready.body}`).toBe(200);
      const metrics = await otaflow.get('/metrics', name);
      expect(metrics.status, name).toBe(200);
      for (const metric of ['process_cpu_user_seconds_total', 'otaflow_consumer_lag', 'otaflow_records_in_total', 'otaflow_dead_letters_total']) expect(metrics.body, `${name} ${metric}`).toContain(`# TYPE ${metric} `);
      const own = name === 'projector' ? ['otaflow_projection_lag_seconds', 'otaflow_projection_write_seconds'] : ['otaflow_transaction_commit_seconds', 'otaflow_actors', 'otaflow_pending_wakeups'];
      for (const metric of own) expect(metrics.body, `${name} ${metric}`).toContain(`# TYPE ${metric} `);
      expect(otaflow.servicePid(name), name).toBeGreaterThan(0);
      // One log stream: each service's own pino lines, tagged with its name.
      expect(otaflow.lines.some((l) => l.includes(`"service":"${name}"`)), name).toBe(true);
    }
    // The dashboard starts with the projector, on the port after the services'.
    const dashboard = `http://127.0.0.1:${dashboardPortAfter(otaflow.basePort)}`;
    await waitFor('the dashboard to answer', async () => (await fetch(`${dashboard}/livez`).catch(() => undefined))?.ok, 30_000, 200);
    const home = await fetch(`${dashboard}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain('<h2>Campaigns</h2>');
  });

  it('R-RES-4, R-CELL-1: the device process SIGKILLed mid-campaign is started again by the supervisor, every device still ends with exactly one result, and the metrics show lag, commits and tokens move', async () => {
    const fleet = generateFleet({ devices: 240, cells: 8, idPrefix: t.prefix, failureRate: 0.05, seed: 11 });
    const samples: { at: number; commits: number; lag: number; tokensInUse: number; cellRecordsIn: number }[] = [];
    let scraping = true;
    const scraper = (async () => {
      while (scraping) {
        const [device, cell, projector] = await Promise.all([otaflow.scrape('device').catch(() => new Map<string, number>()), otaflow.scrape('cell'), otaflow.scrape('projector')]);
        samples.push({
          at: Date.now(),
          commits: cell.get('otaflow_transaction_commit_seconds_count') ?? 0,
          lag: (device.get('otaflow_consumer_lag') ?? 0) + (cell.get('otaflow_consumer_lag') ?? 0) + (projector.get('otaflow_consumer_lag') ?? 0),
          tokensInUse: cell.get('otaflow_cell_tokens_in_use') ?? 0,
          cellRecordsIn: cell.get('otaflow_records_in_total') ?? 0,
        });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const run = await launchCampaign(t, fleet, `${t.prefix}campaign-kill`);
    try {
      const resultsSoFar = () => new Set(run.results.values().map((r) => r.deviceId)).size;
      await waitFor('a third of the devices to have a result', () => resultsSoFar() >= fleet.length / 3, 120_000, 50);
      const killed = otaflow.servicePid('device')!;
      process.kill(killed, 'SIGKILL');
      const atKill = resultsSoFar();
      const restarted = await waitFor('the supervisor to start the device service again', () => {
        const pid = otaflow.servicePid('device');
        return pid !== undefined && pid !== killed && pid;
      }, 30_000, 50);
      console.log(`otaflow-run: device process ${killed} SIGKILLed at ${atKill}/${fleet.length} results; restarted as ${restarted}`);
      await runToCompletion(run, 120_000, '(after the device process was killed)');
      expect(atKill).toBeLessThan(fleet.length);
      expectOneResultEach(run, 'after the device process was killed');
      expectCellsWithinLimits(run);
      expect(otaflow.lines.some((l) => l.includes('"child":"device"') && l.includes('"signal":"SIGKILL"') && l.includes('service exited; restarting it'))).toBe(true);
      expect((await otaflow.scrape()).get('otaflow_service_restarts_total{service="device"}')).toBe(1);
      await waitFor('the device service to be ready again', async () => (await otaflow.get('/readyz', 'device')).status === 200, 30_000, 200);
    } finally {
      scraping = false;
      await scraper;
      await run.stop();
    }
    const first = samples[0]!;
    const last = samples.at(-1)!;
    console.log(`otaflow-run: ${samples.length} scrapes; cell commits ${first.commits} -> ${last.commits}; peak tokens in use ${Math.max(...samples.map((s) => s.tokensInUse))}; peak summed lag ${Math.max(...samples.map((s) => s.lag))}`);
    expect(last.commits).toBeGreaterThan(first.commits);
    expect(last.cellRecordsIn).toBeGreaterThan(first.cellRecordsIn);
    expect(Math.max(...samples.map((s) => s.tokensInUse))).toBeGreaterThan(0);
    // A sample may have been taken before the cell read the last release: the gauge is read again until every token is back.
    await waitFor('the cell service to hold no token', async () => (await otaflow.scrape('cell')).get('otaflow_cell_tokens_in_use') === 0, 30_000, 100);
    expect(Math.max(...samples.map((s) => s.lag))).toBeGreaterThan(0);
  });

  it('SIGTERM stops every service gracefully, then otaflow run exits 0', async () => {
    const children = serviceNames.map((n) => otaflow.servicePid(n));
    otaflow.signal('SIGTERM');
    expect(await otaflow.exited).toBe(0);
    for (const name of serviceNames) expect(otaflow.lines.some((l) => l.includes(`"child":"${name}"`) && l.includes('"code":0') && l.includes('"msg":"service stopped"')), name).toBe(true);
    for (const pid of children) expect(() => process.kill(pid!, 0)).toThrow();
  });
});
