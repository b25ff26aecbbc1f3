import { html, type Html } from './html.ts';
import type { ResultBucket } from './queries.ts';

const W = 640;
const H = 160;
const PAD = 24;
const colours = { succeeded: '#2e7d32', failed: '#c62828', other: '#9e9e9e' } as const;

/**
 * Final results over time as stacked bars (succeeded, failed, cancelled or aborted), drawn as
 * inline SVG on the server: no chart library, nothing to build.
 */
export function resultChart(buckets: readonly ResultBucket[], widthMs: number): Html {
  if (buckets.length === 0) return html`<p class="muted" data-chart="empty">No device has a final result yet.</p>`;
  const max = Math.max(...buckets.map((b) => b.succeeded + b.failed + b.other), 1);
  const slot = (W - 2 * PAD) / buckets.length;
  const scale = (H - 2 * PAD) / max;
  const bars = buckets.map((b, i) => {
    let y = H - PAD;
    return (['succeeded', 'failed', 'other'] as const).map((k) => {
      const h = b[k] * scale;
      y -= h;
      return b[k] === 0 ? '' : html`<rect x="${(PAD + i * slot + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(slot - 2, 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${colours[k]}"><title>${new Date(b.at).toISOString()}: ${b[k]} ${k}</title></rect>`;
    });
  });
  const first = new Date(buckets[0]!.at).toISOString();
  const last = new Date(buckets.at(-1)!.at + widthMs).toISOString();
  return html`<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="results over time" data-chart="results">
    <line x1="${PAD}" y1="${H - PAD}" x2="${W - PAD}" y2="${H - PAD}" stroke="#555"/>
    ${bars}
    <text x="${PAD}" y="${H - 6}" font-size="10">${first}</text>
    <text x="${W - PAD}" y="${H - 6}" font-size="10" text-anchor="end">${last}</text>
    <text x="${PAD}" y="${PAD - 8}" font-size="10">${max} per ${Math.round(widthMs / 1000)} s</text>
  </svg>
  <p class="legend"><span style="color:${colours.succeeded}">■ succeeded</span> <span style="color:${colours.failed}">■ failed</span> <span style="color:${colours.other}">■ cancelled/aborted</span></p>`;
}
