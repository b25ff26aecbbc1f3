import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Output } from '../runtime/actor.ts';
import { cellActor, cellPieces, type CellState } from './cell-actor.ts';
import { inOrder } from './waiting-queue.ts';
import { cellIdOnly } from './cell-limit.ts';
import type { CellRequest, RadioQuality } from '../../contracts/cell-requests.ts';
import type { CellEvent } from '../../contracts/cell-events.ts';
import type { CellGrant } from '../../contracts/cell-grants.ts';

const actor = cellActor();
const waitingIds = (s: CellState) => [...inOrder(s.waiting)].map((w) => w.deviceId);
const GOOD = { rsrp: -90, sinr: 12 }; // limit 50
const FAIR = { rsrp: -98, sinr: 2 }; // limit 10
const POOR = { rsrp: -110, sinr: -6 }; // limit 1

const acquire = (deviceId: string, radio: RadioQuality = FAIR): CellRequest => ({ type: 'acquire', cellId: 'c1', deviceId, campaignId: 'k', attempt: 1, radio, at: 0 });
const release = (deviceId: string): CellRequest => ({ type: 'release', cellId: 'c1', deviceId, campaignId: 'k', attempt: 1, reason: 'done', at: 0 });

function run(inputs: CellRequest[], start: CellState = actor.initial('c1')) {
  let state = start;
  const outputs: Output[] = [];
  for (const input of inputs) {
    const d = actor.decide(state, input, 1);
    state = d.state!;
    outputs.push(...d.outputs);
  }
  return { state, outputs, grants: outputs.filter((o) => o.topic === 'cell-grants').map((o) => (o.value as CellGrant).deviceId) };
}

describe('cell actor', () => {
  it('R-CELL-1: grants up to the limit of the reported radio and queues the rest', () => {
    const { state, grants } = run(['a', 'b', 'c'].map((d) => acquire(d, POOR)));
    expect(grants).toEqual(['a']);
    expect(state.held.map((h) => h.deviceId)).toEqual(['a']);
    expect(waitingIds(state)).toEqual(['b', 'c']);
  });

  it('R-CELL-3: a release hands the token to the next waiting device in arrival order', () => {
    const { grants, outputs } = run([acquire('a', POOR), acquire('b', POOR), acquire('c', POOR), release('a'), release('b')]);
    expect(grants).toEqual(['a', 'b', 'c']);
    const granted = outputs.filter((o) => o.topic === 'cell-events' && (o.value as CellEvent).type === 'granted');
    expect(granted.every((o) => (o.value as CellEvent).inUse <= 1)).toBe(true);
  });

  it('R-CELL-2: the latest radio report sets the limit, and a lowered limit never revokes held tokens', () => {
    const raised = run([acquire('a', GOOD), acquire('b', GOOD), acquire('c', GOOD)]);
    expect(raised.grants).toEqual(['a', 'b', 'c']);
    const lowered = run([acquire('d', POOR)], raised.state);
    expect(lowered.state.limit).toBe(1);
    expect(lowered.state.held.map((h) => h.deviceId)).toEqual(['a', 'b', 'c']);
    expect(lowered.grants).toEqual([]);
    const afterReleases = run([release('a'), release('b'), release('c')], lowered.state);
    expect(afterReleases.grants).toEqual(['d']);
  });

  it('R-CELL-1, R-CELL-2: a device that gave only its cell id sets the limit to 10, lowering it without revoking tokens or raising it for those waiting', () => {
    const fifty = run(Array.from({ length: 12 }, (_, i) => acquire(`g${i}`, GOOD)));
    const lowered = run([acquire('x', cellIdOnly)], fifty.state);
    expect(lowered.state.limit).toBe(10);
    expect(lowered.state.held).toHaveLength(12);
    expect(lowered.grants).toEqual([]);

    const one = run(['a', 'b', 'c'].map((d) => acquire(d, POOR)));
    expect(one.grants).toEqual(['a']);
    const raised = run([acquire('y', cellIdOnly)], one.state);
    expect(raised.state.limit).toBe(10);
    expect(raised.grants).toEqual(['b', 'c', 'y']);
  });

  it('R-CELL-3: a device released while still queued leaves the queue without a grant', () => {
    const { state, grants } = run([acquire('a', POOR), acquire('b', POOR), release('b'), release('a')]);
    expect(grants).toEqual(['a']);
    expect(waitingIds(state)).toEqual([]);
    expect(state.held).toEqual([]);
  });

  it('R-CELL-3: a repeated acquire of a held token confirms it and takes no second token', () => {
    const { state, grants } = run([acquire('a', POOR), acquire('a', POOR), acquire('a', POOR)]);
    expect(grants).toEqual(['a', 'a', 'a']);
    expect(state.held).toHaveLength(1);
  });

  it('R-CELL-3: tokens held never exceed the limit, whatever the order of requests (property)', () => {
    const radio = fc.constantFrom(GOOD, FAIR, POOR);
    const op = fc.oneof(
      fc.record({ type: fc.constant('acquire' as const), d: fc.integer({ min: 0, max: 30 }), radio }),
      fc.record({ type: fc.constant('release' as const), d: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        let state = actor.initial('c1');
        for (const o of ops) {
          const input = o.type === 'acquire' ? acquire(`d${o.d}`, o.radio) : release(`d${o.d}`);
          const before = state.held.length;
          state = actor.decide(state, input, 0).state!;
          // A grant may only happen while under the limit in force; held may stay above a lowered one.
          if (state.held.length > before) expect(state.held.length).toBeLessThanOrEqual(state.limit);
          expect(new Set(state.held.map((h) => h.deviceId)).size).toBe(state.held.length);
          expect(state.held.some((h) => waitingIds(state).includes(h.deviceId))).toBe(false);
        }
      }),
    );
  });

  it('R-CELL-3: restored from its changelog pieces at any point, a cell grants the same devices in the same order (property)', () => {
    const op = fc.oneof(
      fc.record({ type: fc.constant('acquire' as const), d: fc.integer({ min: 0, max: 40 }), radio: fc.constantFrom(GOOD, FAIR, POOR) }),
      fc.record({ type: fc.constant('release' as const), d: fc.integer({ min: 0, max: 40 }) }),
      fc.constant({ type: 'restart' as const }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        let live = actor.initial('c1');
        let restored = actor.initial('c1');
        const changelog = new Map<string, unknown>();
        const liveGrants: string[] = [];
        const restoredGrants: string[] = [];
        for (const o of ops) {
          if (o.type === 'restart') {
            // What the runtime does after a batch: write the pieces; after a crash: assemble them.
            const { pieces, state } = cellPieces.flush(restored);
            for (const p of pieces) (p.value === undefined ? changelog.delete(p.piece) : changelog.set(p.piece, JSON.parse(JSON.stringify(p.value))));
            restored = cellPieces.assemble('c1', changelog);
            expect(waitingIds(restored)).toEqual(waitingIds(state));
            continue;
          }
          const input = o.type === 'acquire' ? acquire(`d${o.d}`, o.radio) : release(`d${o.d}`);
          const a = actor.decide(live, input, 0);
          const b = actor.decide(restored, input, 0);
          live = a.state!;
          restored = b.state!;
          for (const [d, grants] of [[a, liveGrants], [b, restoredGrants]] as const) grants.push(...d.outputs.filter((x) => x.topic === 'cell-grants').map((x) => (x.value as CellGrant).deviceId));
        }
        expect(restoredGrants).toEqual(liveGrants);
        expect(restored.held).toEqual(live.held);
      }),
    );
  });

  it('R-CELL-3: a cell written when its held tokens were part of its counters piece restores them, and writes them as pieces of their own with its next decision', () => {
    const holder = (d: string) => ({ deviceId: d, campaignId: 'k', attempt: 1, since: 0 });
    const old = new Map<string, unknown>([
      ['tokens', { limit: 2, held: [holder('d0'), holder('d1')], peak: 2, grants: 2, head: 3, tail: 4 }],
      ['w3', holder('d3')],
    ]);
    const cell = cellPieces.assemble('c1', old);
    expect(cell.held.map((h) => h.deviceId)).toEqual(['d0', 'd1']);
    const released = actor.decide(cell, release('d1'), 0);
    expect(released.outputs.filter((o) => o.topic === 'cell-grants').map((o) => (o.value as CellGrant).deviceId)).toEqual(['d3']);
    const changelog = new Map(old);
    for (const p of cellPieces.flush(released.state!).pieces) (p.value === undefined ? changelog.delete(p.piece) : changelog.set(p.piece, JSON.parse(JSON.stringify(p.value))));
    expect(changelog.get('tokens')).not.toHaveProperty('held');
    expect(cellPieces.assemble('c1', changelog).held.map((h) => h.deviceId)).toEqual(['d0', 'd3']);
  });

  it('R-CELL-3: a cell with 100,000 waiting devices writes only what changed, every record small, and serves them in arrival order', () => {
    const n = 100_000;
    let state = actor.initial('c1');
    for (let i = 0; i < n; i++) state = actor.decide(state, acquire(`d${i}`, GOOD), 0).state!;
    const { pieces, state: written } = cellPieces.flush(state);
    // The 50 held tokens and the devices waiting behind them, a piece each, and the counters.
    expect(pieces).toHaveLength(n + 1);
    const largest = Math.max(...pieces.map((p) => JSON.stringify(p.value ?? null).length));
    expect(largest).toBeLessThan(200);
    // One release: the released token, the next device's entry and its token, and the counters; nothing else.
    const after = actor.decide(written, release('d0'), 0);
    expect(cellPieces.flush(after.state!).pieces.map((p) => p.piece)).toEqual(['h0', 'w50', 'h50', 'tokens']);
    expect(after.outputs.filter((o) => o.topic === 'cell-grants').map((o) => (o.value as CellGrant).deviceId)).toEqual(['d50']);
    let s = after.state!;
    const order: string[] = [];
    for (let i = 1; i < n; i++) {
      const d = actor.decide(s, release(`d${i}`), 0);
      s = d.state!;
      for (const o of d.outputs) if (o.topic === 'cell-grants') order.push((o.value as CellGrant).deviceId);
    }
    expect(order).toEqual(Array.from({ length: n - 51 }, (_, i) => `d${i + 51}`));
    expect(s.held).toEqual([]);
    expect(waitingIds(s)).toEqual([]);
    // About a second of CPU; the budget is for a loaded machine.
  }, 60_000);
});
