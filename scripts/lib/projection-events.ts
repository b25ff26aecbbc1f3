import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import type { CellEvent } from '../../contracts/cell-events.ts';
import { details } from '../../services/device/acceptance.ts';
import type { Protocol } from '../../contracts/common.ts';
import { lwm2mResultCodes, resultDetails, v1FailureDetails } from '../../services/device/task.ts';
import { pilotKey } from '../../contracts/pilot-requests.ts';
import type { PilotEvent } from '../../contracts/pilot-events.ts';
import type { VerboseEvent } from '../../contracts/verbose-events.ts';
import { AUTO_OFF_MS, fetchableAt, purgeAt, type Session } from '../../services/verbose/verbose-actor.ts';
import { cellIdOf, clientTypeOf, luhnImei, radioClasses, seededRandom } from '../fleet/fleet.ts';
import { scheduleCommand } from './campaign-run.ts';

/** A record for a topic, keyed as its topic's contract says, with its value not yet encoded. */
export interface ProjectionRecord {
  readonly topicId: string;
  readonly key: string;
  readonly value: unknown;
}

export interface ProjectionEventsOptions {
  /** Exactly this many records are made. */
  readonly records: number;
  /** Starts every campaign, device and cell id, so a run's rows can be found and deleted. */
  readonly idPrefix: string;
  /** The topics to fill: those the projections consume. Records of other topics are left out. */
  readonly topics: readonly string[];
  /** Event time of the first record; each record made, kept or not, is a millisecond later. */
  readonly startAt: number;
  readonly devicesPerCampaign?: number;
  /** Campaigns running at once, their records interleaved (their keys spread over partitions). */
  readonly concurrentCampaigns?: number;
  readonly cells?: number;
  readonly seed?: number;
}

const producible = new Set(['campaign-commands', 'campaign-events', 'campaign-device-results', 'cell-events', 'pilot-events', 'device-checkins', 'verbose-events']);
const products = [
  { make: 'Acme', model: 'Sensor-1' },
  { make: 'Acme', model: 'Meter-2' },
  { make: 'Globex', model: 'Tracker-7' },
];
interface Cell {
  readonly cellId: string;
  readonly limit: number;
  readonly rsrp: number;
  readonly sinr: number;
  inUse: number;
  waiting: number;
}

interface Device {
  readonly n: number;
  readonly deviceId: string;
  readonly protocol: Protocol;
  readonly cell: Cell;
}

// Devices of every fifth index speak HTTP: no radio cell, and the ones with verbose logging (R-LOG-1).
const protocolOf = (device: number): Protocol => (device % 5 === 4 ? 'HTTP' : 'LWM2M');

/**
 * What a busy platform puts on the projections' topics: campaigns of `devicesPerCampaign`
 * devices (default 1,000), a few at a time. A campaign is requested, every device checks in
 * and is decided (3% rejected), the campaign goes Queued then InProgress, and each accepted
 * device takes a cell token (queued first on single-token cells), may log verbosely, ends
 * with a result (5% failed), gives the token back and checks in at its new version; every
 * fourth campaign is a pilot reporting its counts every 100 results. About 5.7 records a device.
 */
export function* projectionEvents(o: ProjectionEventsOptions): Generator<ProjectionRecord> {
  const unknown = o.topics.filter((t) => !producible.has(t));
  if (unknown.length > 0) throw new Error(`scripts/lib/projection-events.ts makes no records for ${unknown.join(', ')}: add them there`);
  if (o.topics.length === 0) throw new Error('projection events: no topics to fill');
  const wanted = new Set(o.topics);
  const devices = o.devicesPerCampaign ?? 1000;
  const cells = Array.from({ length: o.cells ?? 200 }, (_, i): Cell => ({ cellId: cellIdOf(o.idPrefix, i), ...radioClasses[i % radioClasses.length]!, inUse: 0, waiting: 0 }));
  const random = seededRandom(o.seed ?? 7);
  const running: Generator<ProjectionRecord>[] = [];
  let started = 0;
  let made = 0;
  let tick = 0;
  const now = () => o.startAt + tick;
  while (made < o.records) {
    while (running.length < (o.concurrentCampaigns ?? 6)) running.push(campaign(started++));
    for (let i = 0; i < running.length && made < o.records; ) {
      const next = running[i]!.next();
      tick++;
      if (next.done) {
        running.splice(i, 1);
        continue;
      }
      i++;
      if (wanted.has(next.value.topicId)) {
        made++;
        yield next.value;
      }
    }
  }

  function* campaign(c: number): Generator<ProjectionRecord> {
    const campaignId = `${o.idPrefix}campaign-${String(c).padStart(5, '0')}`;
    const { make, model } = products[c % products.length]!;
    const fromVersion = '1.0.0';
    const targetVersion = `2.${c % 10}.0`;
    const pilot = c % 4 === 0;
    const event = (type: string, f: Record<string, unknown> = {}): ProjectionRecord => ({
      topicId: 'campaign-events',
      key: campaignId,
      value: { campaignId, type, commandId: null, from: null, to: null, reason: null, deviceId: null, deviceStatus: null, detail: null, api: 'V1', make, model, targetVersion, deviceCount: null, at: now(), ...f },
    });
    const state = (from: string | null, to: string) => event('STATE_CHANGED', { from, to, reason: `bench ${to}` });
    const fleet = Array.from({ length: devices }, (_, i): Device => {
      const n = c * devices + i;
      return { n, deviceId: `${o.idPrefix}dev-${String(n).padStart(7, '0')}`, protocol: protocolOf(n), cell: cells[Math.floor(n / 5) % cells.length]! };
    });
    const checkin = (d: Device, version: string): ProjectionRecord => ({
      topicId: 'device-checkins',
      key: d.deviceId,
      value: {
        deviceId: d.deviceId,
        imei: luhnImei(`35${String(d.n).padStart(12, '0')}`),
        make,
        model,
        protocol: d.protocol,
        firmwareVersion: version,
        softwareVersion: version,
        clientType: clientTypeOf[d.protocol],
        fotaCapable: true,
        connected: true,
        radio: d.protocol === 'LWM2M' ? { cellId: d.cell.cellId, rsrp: d.cell.rsrp, sinr: d.cell.sinr } : null,
        at: now(),
      },
    });
    const cellEvent = (d: Device, type: CellEvent['type']): ProjectionRecord => {
      const cell = d.cell;
      if (type === 'queued') cell.waiting++;
      if (type === 'granted') {
        cell.inUse++;
        if (cell.limit === 1) cell.waiting--;
      }
      if (type === 'released') cell.inUse--;
      const value: CellEvent = { type, cellId: cell.cellId, deviceId: d.deviceId, campaignId, limit: cell.limit, inUse: cell.inUse, waiting: cell.waiting, at: now() };
      return { topicId: 'cell-events', key: cell.cellId, value };
    };
    const verbose = (d: Device, type: VerboseEvent['type'], s: Session): ProjectionRecord => ({
      topicId: 'verbose-events',
      key: d.deviceId,
      value: { type, deviceId: d.deviceId, ...s, fetchableAt: fetchableAt(s), purgeAt: purgeAt(s), at: now() } satisfies VerboseEvent,
    });

    // The operator's SCHEDULE, which the audit projection (R-SEC-2) folds with its answer.
    const devicesNamed = fleet.map((d) => ({ deviceId: d.deviceId, protocol: 'LWM2M' as const, make, model, firmwareVersion: fromVersion }));
    yield { topicId: 'campaign-commands', key: campaignId, value: { ...scheduleCommand(campaignId, devicesNamed, targetVersion), commandId: `${campaignId}-0`, at: now(), principal: 'bench' } };
    yield state(null, 'RequestPending');
    yield event('COMMAND_ACCEPTED', { commandId: `${campaignId}-0`, reason: 'SCHEDULE: accepted', deviceCount: devices });
    const accepted: Device[] = [];
    for (const d of fleet) {
      yield checkin(d, fromVersion);
      const rejected = random() < 0.03;
      if (!rejected) accepted.push(d);
      yield event('DEVICE_DECISION', { deviceId: d.deviceId, deviceStatus: rejected ? 'DeviceRejected' : 'Accepted', detail: rejected ? details.V1.makeModel : details.V1.accepted });
    }
    yield state('RequestPending', 'Queued');
    yield state('Queued', 'InProgress');
    const counts = { succeeded: 0, failed: 0, gateOpen: false };
    for (const d of accepted) {
      const radio = d.protocol === 'LWM2M';
      if (radio && d.cell.limit === 1) yield cellEvent(d, 'queued');
      if (radio) yield cellEvent(d, 'granted');
      const logs = d.protocol === 'HTTP' && d.n % 50 === 4;
      const enabledAt = now();
      const session: Session = { enabledAt, autoOffAt: enabledAt + AUTO_OFF_MS, collectingSince: enabledAt, offAt: null };
      if (logs) {
        yield verbose(d, 'enabled', { ...session, collectingSince: null });
        yield verbose(d, 'collecting', session);
      }
      const failed = random() < 0.05;
      counts[failed ? 'failed' : 'succeeded']++;
      const result: DeviceResult = {
        campaignId,
        deviceId: d.deviceId,
        attempt: 1,
        status: failed ? 'UpgradeFailed' : 'UpgradeSuccess',
        detail: failed ? v1FailureDetails.updateFailed : resultDetails.success.V1,
        cause: failed ? lwm2mResultCodes[8]! : null,
        cellId: radio ? d.cell.cellId : null,
        fromVersion,
        toVersion: targetVersion,
        at: now(),
      };
      yield { topicId: 'campaign-device-results', key: campaignId, value: result };
      if (radio) yield cellEvent(d, 'released');
      yield checkin(d, failed ? fromVersion : targetVersion);
      if (logs) {
        const off = { ...session, offAt: now() };
        yield verbose(d, 'off', off);
        yield verbose(d, 'purged', off);
      }
      const done = counts.succeeded + counts.failed;
      if (pilot && done % 100 === 0) {
        const rate = counts.succeeded / done;
        const opens = !counts.gateOpen && done >= 200 && rate >= 0.9;
        counts.gateOpen ||= opens;
        const value: PilotEvent = { type: opens ? 'gate-opened' : 'pilot-progress', key: pilotKey(make, model, targetVersion), make, model, targetVersion, campaignId, accepted: accepted.length, ...counts, rate, at: now() };
        yield { topicId: 'pilot-events', key: value.key, value };
      }
    }
    yield state('InProgress', 'Finished');
  }
}
