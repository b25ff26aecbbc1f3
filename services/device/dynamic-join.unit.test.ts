import { describe, expect, it } from 'vitest';
import type { DeviceDecision } from '../../contracts/campaign-device-decisions.ts';
import type { DynamicCampaignRecord } from '../../contracts/dynamic-campaigns.ts';
import { offer } from '../../test/support/device-fixtures.ts';
import { checkin, control, offered, report } from '../../test/support/device-inputs.ts';
import { sentTo } from '../../test/support/decider-spec.ts';
import type { Output } from '../runtime/actor.ts';
import { details } from './acceptance.ts';
import { deviceActorWith, type DeviceInput, type DeviceState } from './device-actor.ts';
import { DynamicCatalog } from './dynamic-catalog.ts';

const T0 = Date.UTC(2026, 5, 10);
const END = T0 + 10_000;
const { type: _t, campaignId: _c, deviceId: _d, at: _a, ...terms } = offer;
const context = { now: 1, maxSkewMs: 0 };
const open = (campaignId: string, changes: Partial<typeof terms> = {}, endAt = END): DynamicCampaignRecord => ({ type: 'open', campaignId, terms: { ...terms, ...changes }, endAt, at: 1 });

function catalogOf(...records: DynamicCampaignRecord[]): DynamicCatalog {
  const catalog = new DynamicCatalog();
  for (const r of records) catalog.apply(r.campaignId, r, context);
  return catalog;
}

/** Inputs decided in order at `now`, with `catalog` as the running dynamic campaigns. */
function drive(catalog: DynamicCatalog, inputs: DeviceInput[], now = T0, start?: DeviceState) {
  const actor = deviceActorWith(catalog);
  let state = start ?? actor.initial('d1');
  const outputs: Output[] = [];
  for (const input of inputs) {
    const d = actor.decide(state, input, now);
    state = d.state!;
    outputs.push(...d.outputs);
  }
  return { state, outputs, decisions: sentTo<DeviceDecision>('campaign-device-decisions', outputs) };
}

describe('device actor and the dynamic campaigns catalog', () => {
  it('R-SAFE-5: a free device checking in with the make, model and a from-version of a running dynamic campaign takes it as an offer, its decision marked dynamic', () => {
    const r = drive(catalogOf(open('k1')), [checkin()]);
    expect(r.decisions).toEqual([expect.objectContaining({ campaignId: 'k1', deviceId: 'd1', status: 'Accepted', detail: details.V1.accepted, dynamic: true, cellId: 'c1' })]);
    expect(r.decisions[0]).not.toHaveProperty('part');
    expect(r.state.task).toMatchObject({ campaignId: 'k1', step: 'scheduled', fromVersion: '1.0' });
    expect(r.state.dynamic).toEqual([{ campaignId: 'k1', endAt: END }]);
    // It starts like any accepted device, when its part relays the campaign's release.
    expect(drive(catalogOf(), [control('start')], T0, r.state).outputs.length).toBeGreaterThan(0);
  });

  it('R-SAFE-5: a device of another make or model, of a version not upgraded from or already at the target, or a campaign past its end, gets nothing', () => {
    const nothing = (catalog: DynamicCatalog, input: DeviceInput = checkin(), now = T0) => {
      const r = drive(catalog, [input], now);
      expect(r.outputs).toEqual([]);
      expect(r.state.task).toBeNull();
    };
    nothing(catalogOf(open('k1', { model: 'S2' })));
    nothing(catalogOf(open('k1', { make: 'Other' })));
    nothing(catalogOf(open('k1')), checkin({ firmwareVersion: '0.9' }));
    nothing(catalogOf(open('k1', { fromVersions: ['1.0', '2.0'] })), checkin({ firmwareVersion: '2.0' }));
    nothing(catalogOf(open('k1')), checkin(), END);
    // Every check of an offer applies: a device that is not FOTA capable is not offered either.
    nothing(catalogOf(open('k1')), checkin({ fotaCapable: false }));
    nothing(catalogOf(open('k1'), { type: 'closed', campaignId: 'k1', reason: 'end date reached', at: 2 }));
  });

  it('R-SAFE-5, R-DEV-3: a device with a task or collecting logs is not offered a dynamic campaign; the running one keeps it', () => {
    const catalog = catalogOf(open('k2', {}, END));
    const busy = drive(catalogOf(), [checkin(), offered()]);
    const r = drive(catalog, [checkin({ at: 2 })], T0, busy.state);
    expect(r.decisions).toEqual([]);
    expect(r.state.task?.campaignId).toBe('k1');

    const collecting = drive(catalogOf(), [{ kind: 'verbose', verbose: { type: 'verbose', deviceId: 'd1', on: true, at: 1 } }, checkin()]);
    expect(collecting.state.logging).toBe('collecting');
    expect(drive(catalog, [checkin({ at: 2 })], T0, collecting.state).decisions).toEqual([]);
  });

  it('R-SAFE-5: a device never takes the same dynamic campaign twice, and forgets it at its end', () => {
    const catalog = catalogOf(open('k1'));
    const failed = drive(catalog, [checkin(), control('start'), report('FIRMWARE_VERSION', { firmwareVersion: '1.0' }), control('cancel')]);
    expect(failed.state.task).toBeNull();
    const again = drive(catalog, [checkin({ at: 5 })], T0 + 2000, failed.state);
    expect(again.decisions).toEqual([]);
    expect(again.state.dynamic).toEqual([{ campaignId: 'k1', endAt: END }]);
    // Another dynamic campaign for it is offered; the ids of those over are dropped.
    const next = drive(catalogOf(open('k1'), open('k3', {}, END + 5_000)), [checkin({ at: 6 })], END, failed.state);
    expect(next.decisions.map((d) => d.campaignId)).toEqual(['k3']);
    expect(next.state.dynamic).toEqual([{ campaignId: 'k3', endAt: END + 5_000 }]);
  });

  it('R-SAFE-5: the catalog holds running dynamic campaigns by make and model and drops a closed one; a record it cannot take throws, naming the field', () => {
    const catalog = catalogOf(open('k1'), open('k2', { model: 'S2' }), open('k3'));
    expect(catalog.of('Acme', 'S1').map((o) => o.campaignId)).toEqual(['k1', 'k3']);
    catalog.apply('k1', { type: 'closed', campaignId: 'k1', reason: 'aborted by user', at: 3 }, context);
    expect(catalog.of('Acme', 'S1').map((o) => o.campaignId)).toEqual(['k3']);
    expect(catalog.of('Acme', 'S2').map((o) => o.campaignId)).toEqual(['k2']);
    expect(() => catalog.apply('k4', { type: 'open', campaignId: 'k4', endAt: 5, at: 1 }, context)).toThrow(/dynamic campaign: expected/);
    expect(() => catalog.apply('k5', open('k4'), context)).toThrow(/campaignId/);
  });
});
