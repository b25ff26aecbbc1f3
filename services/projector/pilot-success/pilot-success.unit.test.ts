import { describe, expect, it } from 'vitest';
import type { PilotEvent } from '../../../contracts/pilot-events.ts';
import { foldByKey } from '../fold.ts';
import { pilotSuccessProjection } from './index.ts';

const event = (campaignId: string, succeeded: number, gateOpen: boolean, type: PilotEvent['type'] = 'pilot-progress'): PilotEvent => ({
  type,
  key: 'A|M|2',
  make: 'A',
  model: 'M',
  targetVersion: '2',
  campaignId,
  accepted: 10,
  succeeded,
  failed: 0,
  rate: succeeded / 10,
  gateOpen,
  at: succeeded,
});

describe('pilot_success fold', () => {
  it('R-PILOT-3: the latest counts per pilot campaign of a make+model+target, with the gate state', () => {
    const rows = foldByKey(pilotSuccessProjection, [event('p1', 2, false), event('p2', 4, false), event('p1', 5, true), event('p1', 5, true, 'gate-opened')]);
    expect(rows.map((e) => [e.campaignId, e.succeeded, e.rate, e.gateOpen])).toEqual([
      ['p1', 5, 0.5, true],
      ['p2', 4, 0.4, false],
    ]);
  });
});
