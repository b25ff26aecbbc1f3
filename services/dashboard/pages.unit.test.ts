import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../scripts/cli/campaign/output.ts';
import { campaignMain, overviewMain, page } from './pages.ts';
import type { CampaignDetail } from './queries.ts';

const at = new Date(Date.UTC(2026, 5, 10, 12));
const detail: CampaignDetail = {
  campaignId: 'c<1>',
  status: 'InProgress',
  api: 'V1',
  make: 'Acme',
  model: '<script>alert(1)</script>',
  targetVersion: '2.0',
  deviceCount: 10,
  accepted: 8,
  rejected: 2,
  succeeded: 5,
  failed: 1,
  cancelled: 0,
  done: 6,
  total: 8,
  lastEventAt: at,
  statuses: [{ status: 'UpgradeSuccess', devices: 5 }, { status: 'Accepted', devices: 2 }],
  failures: [{ status: 'UpgradeFailed', detail: 'Firmware update to device failed.', cause: 'FIRMWARE_UPDATE_FAILED', devices: 1 }],
};

describe('dashboard pages', () => {
  it('escapes every value that comes from a device or an operator', () => {
    const text = page('t', campaignMain({ detail, timeline: { widthMs: 0, buckets: [] }, audit: [{ issuedAt: at, principal: '<b>eve</b>', commandType: 'CANCEL', outcome: 'REFUSED', reason: 'CANCEL: principal "<b>eve</b>" may not issue CANCEL' }] }, at)).text;
    expect(text).not.toContain('<script>alert(1)');
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('data-campaign="c&lt;1&gt;"');
    expect(text).not.toContain('<b>eve');
  });

  it("R-SEC-2: marks each of a campaign's numbers for scripts and tests, draws its results over time, and lists its commands from the audit trail", () => {
    const buckets = [{ at: at.getTime(), succeeded: 3, failed: 1, other: 0 }, { at: at.getTime() + 1000, succeeded: 2, failed: 0, other: 0 }];
    const audit = [
      { issuedAt: at, principal: 'bob', commandType: 'APPROVE', outcome: 'ACCEPTED', reason: 'APPROVE: approved by "bob"' },
      { issuedAt: null, principal: null, commandType: null, outcome: 'REFUSED', reason: 'PAUSE: the command names no principal' },
    ];
    const text = campaignMain({ detail, timeline: { widthMs: 1000, buckets }, audit }, at).text;
    for (const [field, value] of [['accepted', 8], ['succeeded', 5], ['failed', 1], ['done', 6], ['total', 8], ['percent', 75]]) expect(text).toContain(`data-field="${field}">${value}<`);
    expect(text).toMatch(/<tr data-status="UpgradeSuccess"><td>UpgradeSuccess<\/td><td data-field="devices">5</);
    expect(text).toContain('data-chart="results"');
    expect(text.match(/<rect /g)).toHaveLength(3);
    // R-SEC-2: the campaign's commands from the audit trail, who and with what answer.
    expect(text).toMatch(/<tr data-command="APPROVE"><td>2026-06-10T12:00:00.000Z<\/td><td data-field="principal">bob<\/td><td>APPROVE<\/td><td data-field="outcome">ACCEPTED</);
    expect(text).toContain('<td data-field="principal">-</td>');
  });

  it('R-CELL-1: shows each cell with its limit, tokens in use, devices waiting and peak, in the order given (bottlenecks first)', () => {
    const cells = [
      { cell_id: 'hot', cell_limit: 1, in_use: 1, waiting: 7, peak_in_use: 1 },
      { cell_id: 'calm', cell_limit: 50, in_use: 3, waiting: 0, peak_in_use: 12 },
    ];
    const text = overviewMain({ campaigns: [], cells, pilots: [{ make: 'Acme', model: 'H', targetVersion: '2', gateOpen: true, pilots: 1, bestRate: 0.8 }], search: '' }, at).text;
    expect(text.indexOf('data-cell="hot"')).toBeLessThan(text.indexOf('data-cell="calm"'));
    expect(text).toMatch(/data-cell="hot" class="hot">\s*<td>hot<\/td><td data-field="limit">1<\/td><td data-field="in-use">1<\/td>\s*<td data-field="waiting">7<\/td><td data-field="peak">1</);
    expect(text).toContain('<td data-field="gate">open</td>');
  });
});

describe('otaflow campaign exit codes', () => {
  it('R-REQ-5: says whether the request failed, and, followed to its end, whether every accepted device upgraded', () => {
    expect(exitCodeOf({ status: 'RequestFailed', succeeded: 0, accepted: 0 }, false)).toBe(3);
    expect(exitCodeOf({ status: 'Queued', succeeded: 0, accepted: 5 }, false)).toBe(0);
    expect(exitCodeOf({ status: 'Finished', succeeded: 5, accepted: 5 }, true)).toBe(0);
    expect(exitCodeOf({ status: 'Finished', succeeded: 4, accepted: 5 }, true)).toBe(4);
    expect(exitCodeOf({ status: 'Cancelled', succeeded: 0, accepted: 5 }, true)).toBe(4);
  });
});
