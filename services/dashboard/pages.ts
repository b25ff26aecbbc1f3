import { resultChart } from './chart.ts';
import { html, type Html } from './html.ts';
import type { AuditEntry, CampaignDetail, CampaignProgress, PilotGate, ResultBucket } from './queries.ts';

/**
 * The dashboard's pages, rendered on the server from what the queries return. Every number a
 * test or a script may want carries `data-field` (and its row `data-campaign`, `data-status`,
 * `data-cell`), so it can be read without parsing the layout.
 */
export interface CellRow {
  readonly cell_id: string;
  readonly cell_limit: number;
  readonly in_use: number;
  readonly waiting: number;
  readonly peak_in_use: number;
}

export interface Overview {
  readonly campaigns: readonly CampaignProgress[];
  readonly cells: readonly CellRow[];
  readonly pilots: readonly PilotGate[];
  readonly search: string;
}

export interface CampaignPage {
  readonly detail: CampaignDetail;
  readonly timeline: { readonly widthMs: number; readonly buckets: readonly ResultBucket[] };
  /** Latest first. */
  readonly audit: readonly AuditEntry[];
}

const percent = (done: number, total: number) => (total > 0 ? Math.floor((done / total) * 100) : 0);

function progress(done: number, total: number): Html {
  return html`<progress value="${done}" max="${Math.max(total, 1)}"></progress> <span data-field="percent">${percent(done, total)}</span> %`;
}

export function overviewMain(o: Overview, renderedAt: Date): Html {
  const campaigns = o.campaigns.map(
    (c) => html`<tr data-campaign="${c.campaignId}">
      <td><a href="/campaigns/${encodeURIComponent(c.campaignId)}">${c.campaignId}</a></td>
      <td data-field="status">${c.status ?? '-'}</td><td>${c.api}</td><td>${c.make} ${c.model} → ${c.targetVersion}</td>
      <td data-field="devices">${c.deviceCount}</td><td data-field="accepted">${c.accepted}</td>
      <td data-field="succeeded">${c.succeeded}</td><td data-field="failed">${c.failed}</td>
      <td data-field="done">${c.done}</td><td data-field="total">${c.total}</td><td>${progress(c.done, c.total)}</td></tr>`,
  );
  const cells = o.cells.map(
    (c) => html`<tr data-cell="${c.cell_id}" class="${c.waiting > 0 ? 'hot' : ''}">
      <td>${c.cell_id}</td><td data-field="limit">${c.cell_limit}</td><td data-field="in-use">${c.in_use}</td>
      <td data-field="waiting">${c.waiting}</td><td data-field="peak">${c.peak_in_use}</td>
      <td><meter value="${c.in_use}" max="${Math.max(c.cell_limit, 1)}"></meter></td></tr>`,
  );
  const pilots = o.pilots.map(
    (p) => html`<tr data-pilot="${p.make}/${p.model}/${p.targetVersion}">
      <td>${p.make}</td><td>${p.model}</td><td>${p.targetVersion}</td>
      <td data-field="gate">${p.gateOpen ? 'open' : 'closed'}</td><td data-field="pilots">${p.pilots}</td><td data-field="best-rate">${(p.bestRate * 100).toFixed(1)} %</td></tr>`,
  );
  return html`<main data-rendered-at="${renderedAt}">
    <form method="get" action="/"><input name="search" value="${o.search}" placeholder="campaign or cell id prefix"> <button>filter</button></form>
    <h2>Campaigns</h2>
    ${o.campaigns.length === 0 ? html`<p class="muted">No campaign yet.</p>` : html`<table id="campaigns"><thead><tr><th>campaign</th><th>status</th><th>api</th><th>target</th><th>devices</th><th>accepted</th><th>succeeded</th><th>failed</th><th>final</th><th>of</th><th>progress</th></tr></thead><tbody>${campaigns}</tbody></table>`}
    <h2>Cells <small>bottlenecks first</small></h2>
    ${o.cells.length === 0 ? html`<p class="muted">No cell has asked for a token yet.</p>` : html`<table id="cells"><thead><tr><th>cell</th><th>limit</th><th>in use</th><th>waiting</th><th>peak</th><th>use</th></tr></thead><tbody>${cells}</tbody></table>`}
    <h2>Pilot gates</h2>
    ${o.pilots.length === 0 ? html`<p class="muted">No pilot campaign yet.</p>` : html`<table id="pilots"><thead><tr><th>make</th><th>model</th><th>target</th><th>gate</th><th>pilots</th><th>best rate</th></tr></thead><tbody>${pilots}</tbody></table>`}
  </main>`;
}

export function campaignMain(p: CampaignPage, renderedAt: Date): Html {
  const d = p.detail;
  const field = (name: string, label: string, value: unknown) => html`<div><dt>${label}</dt><dd data-field="${name}">${value}</dd></div>`;
  return html`<main data-rendered-at="${renderedAt}" data-campaign="${d.campaignId}">
    <p><a href="/">← all campaigns</a></p>
    <h2>${d.campaignId} <span class="status" data-field="status">${d.status ?? 'no state yet'}</span></h2>
    <p>${d.api} ${d.make} ${d.model} → ${d.targetVersion}</p>
    <p>${progress(d.done, d.total)} (<span data-field="done">${d.done}</span> of <span data-field="total">${d.total}</span> accepted devices final)</p>
    <dl class="counts">
      ${field('devices', 'devices', d.deviceCount)}${field('accepted', 'accepted', d.accepted)}${field('rejected', 'rejected', d.rejected)}
      ${field('succeeded', 'succeeded', d.succeeded)}${field('failed', 'failed', d.failed)}${field('cancelled', 'cancelled/aborted', d.cancelled)}
    </dl>
    <h3>Devices per status</h3>
    <table id="statuses"><thead><tr><th>status</th><th>devices</th></tr></thead><tbody>
      ${d.statuses.map((s) => html`<tr data-status="${s.status}"><td>${s.status}</td><td data-field="devices">${s.devices}</td></tr>`)}
    </tbody></table>
    <h3>Failure causes</h3>
    ${d.failures.length === 0 ? html`<p class="muted">No failure.</p>` : html`<table id="failures"><thead><tr><th>status</th><th>devices</th><th>cause</th><th>detail</th></tr></thead><tbody>
      ${d.failures.map((f) => html`<tr data-failure="${f.status}|${f.cause ?? ''}|${f.detail ?? ''}"><td>${f.status}</td><td data-field="devices">${f.devices}</td><td>${f.cause ?? '-'}</td><td>${f.detail ?? '-'}</td></tr>`)}
    </tbody></table>`}
    <h3>Results over time</h3>
    ${resultChart(p.timeline.buckets, p.timeline.widthMs)}
    <h3>Commands <small>latest first</small></h3>
    ${p.audit.length === 0 ? html`<p class="muted">No command in the audit trail.</p>` : html`<table id="audit"><thead><tr><th>issued</th><th>principal</th><th>command</th><th>outcome</th><th>reason</th></tr></thead><tbody>
      ${p.audit.map((a) => html`<tr data-command="${a.commandType ?? ''}"><td>${a.issuedAt?.toISOString() ?? '-'}</td><td data-field="principal">${a.principal ?? '-'}</td><td>${a.commandType ?? '-'}</td><td data-field="outcome">${a.outcome ?? 'no answer yet'}</td><td>${a.reason ?? '-'}</td></tr>`)}
    </tbody></table>`}
  </main>`;
}

export function notFoundMain(what: string, renderedAt: Date): Html {
  return html`<main data-rendered-at="${renderedAt}"><p><a href="/">← all campaigns</a></p><p class="muted">${what} is not in the projections (yet).</p></main>`;
}

/**
 * The whole page: the styles and the one small script that keeps <main> live. It listens to
 * /live (server-sent events) for this page's <main>, re-rendered on the server every second and
 * sent when it changed; EventSource reconnects by itself after a network or server failure.
 */
export function page(title: string, main: Html): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title} · otaflow</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #222; }
  table { border-collapse: collapse; margin-bottom: 1rem; } td, th { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left; }
  tr.hot td { background: #fff3e0; } .muted { color: #777; } .status { font-size: .8em; background: #e3f2fd; padding: .1rem .4rem; border-radius: 4px; }
  dl.counts { display: flex; gap: 1.5rem; } dl.counts dt { color: #777; } dl.counts dd { margin: 0; font-size: 1.4em; }
  svg[data-chart] { max-width: 760px; display: block; }
  header { display: flex; justify-content: space-between; align-items: baseline; } #live { color: #777; }
</style></head>
<body><header><h1><a href="/" style="color:inherit;text-decoration:none">otaflow</a></h1><span id="live">connecting…</span></header>
${main}
<script>
  const live = new EventSource('/live?path=' + encodeURIComponent(location.pathname + location.search));
  live.onmessage = (e) => { document.querySelector('main').outerHTML = JSON.parse(e.data); };
  live.onopen = () => { document.getElementById('live').textContent = 'live'; };
  live.onerror = () => { document.getElementById('live').textContent = 'reconnecting…'; };
</script>
</body></html>`;
}
