import type { RuntimeConfig } from '../../../services/runtime/config.ts';
import { createReadOnlyDatabase } from '../../../services/dashboard/read-db.ts';
import { finalStatuses, listCampaigns, readBottleneckCells, readCampaignDetail, readDevices, readPilot, type CampaignDetail, type Db, type DeviceFilter } from '../../../services/dashboard/queries.ts';
import { countsText, EXIT, exitCodeOf, table, type Out } from './output.ts';

/** Runs one read against the projections (read only) and closes the pool. */
async function withDb<T>(config: RuntimeConfig, read: (db: Db) => Promise<T>): Promise<T> {
  const db = createReadOnlyDatabase(config.databaseUrl, 1);
  try {
    return await read(db);
  } finally {
    await db.destroy();
  }
}

/**
 * `status <id> [--watch]`: the campaign's devices per status as a progress bar (final results
 * of the accepted devices) from SQL; with `watch`, redrawn every second until the campaign is in
 * a final state, and the exit code says how it ended (output.ts EXIT).
 */
export function followStatus(config: RuntimeConfig, out: Out, campaignId: string, options: { watch: boolean }): Promise<number> {
  return withDb(config, async (db) => {
    // A one-off status in a log needs no bar: the text below has the numbers.
    const bar = options.watch || process.stderr.isTTY ? out.bar(campaignId) : { update: () => undefined, stop: () => undefined };
    let detail: CampaignDetail | undefined;
    try {
      for (;;) {
        detail = await readCampaignDetail(db, campaignId);
        if (detail) bar.update(detail.done, detail.total, `${detail.status} | ${countsText(detail.statuses)}`);
        if (!options.watch || (detail?.status && finalStatuses.has(detail.status))) break;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    } finally {
      bar.stop();
    }
    if (!detail) {
      out.result({ campaignId, found: false }, `campaign ${campaignId} is not in the projections (unknown, or the projector has not read it yet)`);
      return EXIT.error;
    }
    out.result(detail, statusText(detail));
    return exitCodeOf(detail, options.watch);
  });
}

export function statusText(d: CampaignDetail): string {
  const lines = [
    `campaign ${d.campaignId}: ${d.status ?? 'no state yet'}  ${d.api ?? ''} ${d.make ?? ''} ${d.model ?? ''} -> ${d.targetVersion ?? ''}`.trimEnd(),
    `devices ${d.deviceCount}, accepted ${d.accepted}, rejected ${d.rejected}; final ${d.done} of ${d.total}: succeeded ${d.succeeded}, failed ${d.failed}, cancelled/aborted ${d.cancelled}`,
    table(['status', 'devices'], d.statuses.map((s) => [s.status, s.devices])),
  ];
  if (d.failures.length > 0) lines.push('failure causes:', table(['status', 'devices', 'cause', 'detail'], d.failures.map((f) => [f.status, f.devices, f.cause, f.detail])));
  return lines.join('\n');
}

export function list(config: RuntimeConfig, out: Out, options: { limit: number; search?: string }): Promise<number> {
  return withDb(config, async (db) => {
    const campaigns = await listCampaigns(db, options);
    const rows = campaigns.map((c) => [c.campaignId, c.status, c.api, `${c.make ?? '-'}/${c.model ?? '-'}`, c.targetVersion, c.deviceCount, c.accepted, `${c.done}/${c.total}`, c.succeeded, c.failed, c.lastEventAt]);
    out.result(campaigns, table(['campaign', 'status', 'api', 'make/model', 'target', 'devices', 'accepted', 'final', 'succeeded', 'failed', 'last event'], rows));
    return EXIT.ok;
  });
}

export function devices(config: RuntimeConfig, out: Out, campaignId: string, filter: DeviceFilter): Promise<number> {
  return withDb(config, async (db) => {
    const rows = await readDevices(db, campaignId, filter);
    out.result(rows, table(['device', 'status', 'attempt', 'cell', 'cause', 'detail', 'finished'], rows.map((r) => [r.device_id, r.status, r.attempt, r.cell_id, r.cause, r.detail, r.finished_at])));
    return EXIT.ok;
  });
}

export function cells(config: RuntimeConfig, out: Out, options: { limit: number; search?: string }): Promise<number> {
  return withDb(config, async (db) => {
    const rows = await readBottleneckCells(db, options);
    out.result(rows, table(['cell', 'limit', 'in use', 'waiting', 'peak', 'grants', 'last change'], rows.map((r) => [r.cell_id, r.cell_limit, r.in_use, r.waiting, r.peak_in_use, r.grants, r.last_change_at])));
    return EXIT.ok;
  });
}

export function pilot(config: RuntimeConfig, out: Out, make: string, model: string, targetVersion: string): Promise<number> {
  return withDb(config, async (db) => {
    const p = await readPilot(db, make, model, targetVersion);
    const gate = p.gateOpen ? 'OPEN: campaigns of any size may run (R-PILOT-2)' : 'closed: campaigns of more than 20 devices fail until a pilot of at least 5 devices reaches 50 % success';
    const rows = p.pilots.map((r) => [r.campaign_id, r.accepted, r.succeeded, r.failed, `${(r.rate * 100).toFixed(1)} %`, r.gate_open, r.updated_at]);
    out.result(p, `${make} ${model} -> ${targetVersion}: gate ${gate}\n${table(['pilot campaign', 'accepted', 'succeeded', 'failed', 'rate', 'opens gate', 'updated'], rows)}`);
    return EXIT.ok;
  });
}
