// The dashboard in a real browser: a campaign through every service, its numbers on the page against the SQL rows.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFleet } from '../scripts/fleet/fleet.ts';
import { launchCampaign } from '../scripts/lib/campaign-run.ts';
import { waitFor } from '../scripts/lib/wait-for.ts';
import { createReadOnlyDatabase } from '../services/dashboard/read-db.ts';
import { readBottleneckCells, readCampaignDetail } from '../services/dashboard/queries.ts';
import { startDashboard, type DashboardServer } from '../services/dashboard/server.ts';
import { readCampaign } from '../services/projector/campaigns/index.ts';
import { readFailureReasons } from '../services/projector/campaign-devices/index.ts';
import { createDatabase } from '../services/projector/database.ts';
import { projectRoot } from '../services/runtime/topics.ts';
import { pipelineSuite } from './support/pipeline-suite.ts';

/** Where the screenshots are kept (git-ignored; README: Tests). */
const artifacts = join(projectRoot, '.stack', 'test-artifacts');
const CHROMIUM = process.env.OTAFLOW_CHROMIUM ?? '/usr/bin/chromium';

describe('dashboard', () => {
  const suite = pipelineSuite('dashboard');
  // The test checks against the projector's own rows, through a pool that may write; the dashboard reads through its read-only one.
  const sqlDb = createDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow');
  const dashboardDb = createReadOnlyDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/otaflow');
  let server: DashboardServer;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    server = await startDashboard(dashboardDb, 0, suite.t.logger);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await dashboardDb.destroy();
    await sqlDb.destroy();
  });

  const text = (selector: string) => page.locator(selector).first().textContent({ timeout: 5_000 }).then((t) => t?.trim());
  const number = async (selector: string) => Number(await text(selector));

  it('R-CELL-1, R-RES-1: shows a campaign live, then the same numbers as SQL for the campaign, its statuses, failure causes and cells', async () => {
    const { t } = suite;
    const fleet = generateFleet({ devices: 24, cells: 6, idPrefix: t.prefix, failureRate: 0.25, seed: 13 });
    const campaignId = `${t.prefix}campaign`;
    const base = `http://127.0.0.1:${server.port}`;
    // Opened before the campaign exists: everything after comes through the live stream, without a reload.
    await page.goto(`${base}/?search=${encodeURIComponent(t.prefix)}`);
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    suite.runs.push(await launchCampaign(t, fleet, campaignId));

    const row = await waitFor('the campaign to be Finished in SQL', async () => {
      const r = await readCampaign(sqlDb, campaignId);
      return r?.status === 'Finished' && r.succeeded + r.failed === fleet.length && r;
    }, 120_000, 200);
    const campaignRow = `tr[data-campaign="${campaignId}"]`;
    await page.locator(`${campaignRow} [data-field="status"]`, { hasText: 'Finished' }).waitFor({ timeout: 10_000 });
    for (const [field, value] of [['devices', row.device_count], ['accepted', row.accepted], ['succeeded', row.succeeded], ['failed', row.failed], ['done', fleet.length], ['total', row.accepted]] as const) {
      expect(await number(`${campaignRow} [data-field="${field}"]`), field).toBe(value);
    }
    expect(row.failed).toBeGreaterThan(0);

    const cells = await readBottleneckCells(sqlDb, { limit: 20, search: t.prefix });
    expect(cells).toHaveLength(6);
    await page.locator(`tr[data-cell="${cells[0]!.cell_id}"] [data-field="in-use"]`, { hasText: '0' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('tr[data-cell]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cell')))).toEqual(cells.map((c) => c.cell_id));
    for (const c of cells) {
      const shown = await page.locator(`tr[data-cell="${c.cell_id}"] td[data-field]`).evaluateAll((tds) => tds.map((td) => Number(td.textContent)));
      expect(shown, c.cell_id).toEqual([c.cell_limit, c.in_use, c.waiting, c.peak_in_use]);
    }
    await page.screenshot({ path: join(artifacts, 'dashboard-overview.png'), fullPage: true });

    await page.click(`${campaignRow} a`);
    await page.locator('main[data-campaign]').waitFor({ timeout: 10_000 });
    const detail = (await readCampaignDetail(sqlDb, campaignId))!;
    const statuses = await page.locator('tr[data-status]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-status'), Number(r.querySelector('[data-field="devices"]')!.textContent)]));
    expect(Object.fromEntries(statuses)).toEqual(Object.fromEntries(detail.statuses.map((s) => [s.status, s.devices])));
    expect(detail.statuses.reduce((n, s) => n + s.devices, 0)).toBe(fleet.length);
    const failures = await page.locator('tr[data-failure]').evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-failure'), Number(r.querySelector('[data-field="devices"]')!.textContent)]));
    const sqlFailures = await readFailureReasons(sqlDb, campaignId);
    expect(failures).toEqual(sqlFailures.map((f) => [`${f.status}|${f.cause ?? ''}|${f.detail ?? ''}`, Number(f.devices)]));
    for (const field of ['succeeded', 'failed', 'accepted']) expect(await number(`main [data-field="${field}"]`), field).toBe(detail[field as 'succeeded']);
    const bars = await page.locator('svg[data-chart="results"] rect').count();
    expect(bars).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'dashboard-campaign.png'), fullPage: true });
  });
});
