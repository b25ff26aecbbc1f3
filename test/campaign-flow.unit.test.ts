import { describe, expect, it } from 'vitest';
import { generateFleet, radioClasses, type SimDevice } from '../scripts/fleet/fleet.ts';
import { cellConcurrency } from '../scripts/lib/cell-concurrency.ts';
import { scheduleCommand } from '../scripts/lib/campaign-run.ts';
import type { DeviceResult } from '../contracts/campaign-device-results.ts';
import type { CellEvent } from '../contracts/cell-events.ts';
import { details } from '../services/device/acceptance.ts';
import { resultDetails, stepTimeouts, v1FailureDetails } from '../services/device/task.ts';
import type { DeviceRow } from '../services/projector/campaign-devices/index.ts';
import type { CampaignEvent } from '../contracts/campaign-events.ts';
import type { CampaignDelta } from '../services/projector/campaigns/index.ts';
import { limitsOf } from './support/campaign-checks.ts';
import { SimulatedDevices } from './support/simulated-devices.ts';
import { TopologyDriver } from './support/topology-driver.ts';

/** Wednesday 2026-06-10, 15:30 UTC. */
const T0 = Date.UTC(2026, 5, 10, 15, 30);
const HOUR = 3_600_000;
const LWM2M_FLOW = ['QUERY_VERSION', 'QUERY_RADIO', 'SUBSCRIBE', 'DELIVER_PACKAGE', 'UPGRADE', 'QUERY_RESULT', 'UNSUBSCRIBE'];

type Event = CampaignEvent & { readonly from: string | null; readonly deviceId: string | null; readonly detail: string | null };
interface Command {
  readonly deviceId: string;
  readonly kind: string;
}

/** The fleet checks in, then one on-demand v1 campaign (R-REQ-1) names it and `extraIds`; the devices answer. */
function launch(fleet: readonly SimDevice[], extraIds: readonly string[] = []) {
  const driver = new TopologyDriver({ startAt: T0 });
  const devices = new SimulatedDevices(fleet);
  devices.checkInAll(driver);
  const command = scheduleCommand('k1', fleet);
  driver.pipeInput('campaign-commands', 'k1', { ...command, commandId: 'k1-schedule', deviceIds: [...command.deviceIds, ...extraIds], at: driver.now });
  devices.answer(driver);
  return { driver, devices };
}

const events = (driver: TopologyDriver) => driver.outputs<Event>('campaign-events').map((r) => r.value);
const transitions = (driver: TopologyDriver) => events(driver).filter((e) => e.type === 'STATE_CHANGED').map((e) => `${e.from}->${e.to}`);
const results = (driver: TopologyDriver) => driver.outputs<DeviceResult>('campaign-device-results');
const commandsOf = (driver: TopologyDriver, deviceId: string) => driver.outputs<Command>('device-commands').filter((c) => c.value.deviceId === deviceId);
const iso = (at: number) => new Date(at).toISOString();

describe('a campaign through every service, in memory', () => {
  it('R-REQ-4, R-LC-1, R-FLOW-1, R-RES-4: SCHEDULE offers every device; each gets one decision, the accepted ones walk the LwM2M flow and each has one result', () => {
    const fleet = generateFleet({ devices: 3, cells: 1, idPrefix: 'f-' });
    const { driver } = launch(fleet, ['never-seen']);

    const decisions = events(driver).filter((e) => e.type === 'DEVICE_DECISION');
    expect(decisions.map((e) => [e.deviceId, e.deviceStatus, e.detail])).toEqual([
      ...fleet.map((d) => [d.deviceId, 'Accepted', details.V1.accepted]),
      ['never-seen', 'DeviceRejected', details.V1.notFound],
    ]);
    expect(transitions(driver)).toEqual(['null->RequestPending', 'RequestPending->Queued', 'Queued->InProgress', 'InProgress->Finished']);
    for (const d of fleet) expect(commandsOf(driver, d.deviceId).map((c) => c.value.kind), d.deviceId).toEqual(LWM2M_FLOW);

    expect(results(driver).map((r) => [r.key, r.value.deviceId, r.value.status, r.value.detail, r.value.toVersion])).toEqual(
      fleet.map((d) => ['k1', d.deviceId, 'UpgradeSuccess', resultDetails.success.V1, '2.0.0']),
    );
    // What the projector would write: one row per device, and the campaign's counts.
    const rows = [...driver.folded<DeviceRow>('campaign_devices').values()];
    expect(rows.map((r) => [r.deviceId, r.decision, r.status])).toEqual([
      ...fleet.map((d) => [d.deviceId, 'Accepted', 'UpgradeSuccess']),
      ['never-seen', 'DeviceRejected', 'DeviceRejected'],
    ]);
    expect(driver.folded<CampaignDelta>('campaigns').get('k1')).toMatchObject({ status: 'Finished', accepted: 3, rejected: 1, succeeded: 3, failed: 0 });
    expect(driver.deadLetters()).toEqual([]);
  });

  it('R-CELL-1, R-CELL-3: with more devices than its limit, a cell lets at most its limit upgrade at once (10 of 15 on a fair radio, 1 of 15 on a poor one), the others in arrival order', () => {
    const fleet = generateFleet({ devices: 30, cells: 2, idPrefix: 'c-', radioOf: (cell) => radioClasses[cell === 0 ? 1 : 2] });
    const { driver, devices } = launch(fleet);

    const cellEvents = driver.outputs<CellEvent>('cell-events').map((r) => r.value);
    const limits = limitsOf(fleet);
    expect([...limits.values()]).toEqual([10, 1]);
    const concurrency = cellConcurrency(cellEvents);
    for (const [cellId, limit] of limits) {
      const mine = cellEvents.filter((e) => e.cellId === cellId);
      expect(concurrency.get(cellId), cellId).toMatchObject({ peak: limit, grants: 15, limits: [limit, limit] });
      expect(devices.peakByCell.get(cellId), `${cellId} as the devices saw it`).toBe(limit);
      expect(Math.max(...mine.map((e) => e.waiting)), cellId).toBe(15 - limit);
      expect(mine.every((e) => e.inUse <= limit), cellId).toBe(true);
      const order = (type: CellEvent['type']) => mine.filter((e) => e.type === type).map((e) => e.deviceId);
      expect(order('granted'), `${cellId} grants in arrival order`).toEqual(order('queued'));
    }
    expect(results(driver).map((r) => r.value.status)).toEqual(fleet.map(() => 'UpgradeSuccess'));
    expect(transitions(driver).at(-1)).toBe('InProgress->Finished');
  });

  it('R-CELL-1, R-FLOW-4: devices that never answer the radio query give their cell id and upgrade under limit 10; one with no cell id fails', () => {
    const fleet = generateFleet({ devices: 13, cells: 1, idPrefix: 'mute-', radioOf: () => radioClasses[0] }).map((d, i) => ({ ...d, silentOn: ['QUERY_RADIO'], withoutCellId: i === 12 }));
    const { driver, devices } = launch(fleet);
    expect(driver.outputs<CellEvent>('cell-events')).toEqual([]);

    driver.advanceWallClockTime(stepTimeouts.queryRadio!.ms);
    devices.answer(driver);
    const concurrency = cellConcurrency(driver.outputs<CellEvent>('cell-events').map((r) => r.value));
    expect([...concurrency.values()]).toEqual([expect.objectContaining({ peak: 10, grants: 12, limits: [10, 10] })]);
    expect(driver.outputs<Command>('device-commands').filter((c) => c.value.kind === 'QUERY_CELL_ID')).toHaveLength(13);

    driver.advanceWallClockTime(stepTimeouts.queryCellId!.ms);
    const outcomes = results(driver).map((r) => [r.value.deviceId, r.value.status, r.value.cause]);
    expect(outcomes.filter(([, status]) => status === 'UpgradeSuccess')).toHaveLength(12);
    expect(outcomes.filter(([, status]) => status !== 'UpgradeSuccess')).toEqual([[fleet[12]!.deviceId, 'UpgradeFailed', 'Waiting for report cellId timeout']]);
  });

  it('R-FLOW-4, R-LC-4: an LwM2M device that never comes online is pushed again at 04:00 UTC for three days, and fails 24 h after its last push', () => {
    const fleet = generateFleet({ devices: 1, cells: 1, idPrefix: 'off-' }).map((d) => ({ ...d, offlineUntil: Infinity }));
    const { driver, devices } = launch(fleet);
    const deviceId = fleet[0]!.deviceId;
    const lastPush = Date.UTC(2026, 5, 13, 4);

    driver.advanceWallClockTime(lastPush + stepTimeouts.awaitOnline!.ms - 1 - driver.now);
    devices.answer(driver);
    expect(commandsOf(driver, deviceId).map((c) => `${c.value.kind} ${iso(c.at)}`)).toEqual([
      `PUSH ${iso(T0)}`,
      'PUSH 2026-06-11T04:00:00.000Z',
      'PUSH 2026-06-12T04:00:00.000Z',
      'PUSH 2026-06-13T04:00:00.000Z',
    ]);
    expect(results(driver)).toEqual([]);

    driver.advanceWallClockTime(1);
    expect(results(driver).map((r) => [iso(r.at), r.value.status, r.value.cause, r.value.detail])).toEqual([
      ['2026-06-14T04:00:00.000Z', 'UpgradeFailed', 'Waiting for the device online timeout', v1FailureDetails.notConnected],
    ]);
    expect(transitions(driver).at(-1)).toBe('InProgress->Finished');
    expect(driver.droppedWakeUps()).toEqual([]);
  });

  it('R-FLOW-5: the online wait is state: services restarted from their changelogs every few hours neither lose nor double a push or the timeout', () => {
    const fleet = generateFleet({ devices: 2, cells: 1, idPrefix: 'off-' }).map((d) => ({ ...d, offlineUntil: Infinity }));
    const steady = launch(fleet).driver;
    const restarted = launch(fleet).driver;
    for (let hours = 0; hours < 4 * 24; hours += 5) {
      steady.advanceWallClockTime(5 * HOUR);
      restarted.restart();
      restarted.advanceWallClockTime(5 * HOUR);
    }
    expect(results(steady).map((r) => r.value.cause)).toEqual([stepTimeouts.awaitOnline!.cause, stepTimeouts.awaitOnline!.cause]);
    for (const topic of ['device-commands', 'campaign-device-results', 'campaign-events']) expect(restarted.outputs(topic), topic).toEqual(steady.outputs(topic));
  });

  it('R-FLOW-1, R-LC-4: a device offline at the start answers the 04:00 UTC re-push and is upgraded', () => {
    const fleet = generateFleet({ devices: 1, cells: 1, idPrefix: 'late-' }).map((d) => ({ ...d, offlineUntil: T0 + 6 * HOUR }));
    const { driver, devices } = launch(fleet);
    driver.advanceWallClockTime(Date.UTC(2026, 5, 11, 4) - driver.now);
    devices.answer(driver);
    expect(commandsOf(driver, fleet[0]!.deviceId).map((c) => c.value.kind)).toEqual(['PUSH', 'PUSH', ...LWM2M_FLOW]);
    expect(results(driver).map((r) => [iso(r.at), r.value.status])).toEqual([['2026-06-11T04:00:00.000Z', 'UpgradeSuccess']]);
  });
});
