import type { CampaignCommand, CampaignRequest, CommandType } from '../../contracts/campaign-commands.ts';
import type { DeviceResult } from '../../contracts/campaign-device-results.ts';
import type { CampaignEvent } from '../../contracts/campaign-events.ts';
import type { DeviceCommand } from '../../contracts/device-commands.ts';
import type { Protocol } from '../../contracts/common.ts';
import { generateFleet, type SimDevice } from '../../scripts/fleet/fleet.ts';
import { scheduleCommand } from '../../scripts/lib/campaign-run.ts';
import { SimulatedDevices } from './simulated-devices.ts';
import { OPEN_POLICY, type CommandPolicy } from '../../services/campaign/command-policy.ts';
import { allServices, TopologyDriver } from './topology-driver.ts';

/**
 * Rule scenarios on the in-memory topology driver: a fleet checks in, campaigns are requested
 * and commanded on campaign-commands as an operator would, the simulated devices answer.
 */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** Wednesday 2026-06-10, 15:30 UTC. */
export const T0 = Date.UTC(2026, 5, 10, 15, 30);

export const iso = (at: number) => new Date(at).toISOString();

/** `overrides.length` devices of one protocol over `cells` cells, each with its overrides. */
export function fleetOf(idPrefix: string, protocol: Protocol, overrides: readonly Partial<SimDevice>[], cells = 1): SimDevice[] {
  return generateFleet({ devices: overrides.length, cells, idPrefix, protocols: [protocol] }).map((d, i) => ({ ...d, ...overrides[i] }));
}

/** The v2 API drives HTTP and MQTT devices, v1 the others (R-REQ-1). */
const apiOf = (protocol: Protocol) => (protocol === 'HTTP' || protocol === 'MQTT' ? 'V2' : 'V1');

export type RequestChanges = Partial<Omit<CampaignRequest, 'schedule'>> & { readonly schedule?: Partial<CampaignRequest['schedule']> };

/** A SCHEDULE for the fleet's devices (and `extraIds`), with the api its protocol needs and no retries unless changed. */
export function scheduleFor(campaignId: string, fleet: readonly SimDevice[], changes: RequestChanges = {}, extraIds: readonly string[] = []): CampaignCommand {
  const base = scheduleCommand(campaignId, fleet);
  const request: CampaignRequest = { ...base.request, api: apiOf(base.request.protocol), ...changes, schedule: { ...base.request.schedule, ...changes.schedule } };
  return { ...base, commandId: `${campaignId}-schedule`, request, deviceIds: [...base.deviceIds, ...extraIds] };
}

export class Scenario {
  readonly driver: TopologyDriver;
  readonly devices: SimulatedDevices;

  /** The fleet checks in at `startAt` (default T0); the campaign service runs under `policy` (default: none, R-SEC-2). */
  constructor(fleet: readonly SimDevice[], startAt = T0, policy: CommandPolicy = OPEN_POLICY) {
    this.driver = new TopologyDriver({ startAt, services: allServices(policy) });
    this.devices = new SimulatedDevices(fleet);
    this.devices.checkInAll(this.driver);
  }

  /** Requests a campaign now and lets the devices answer what follows. */
  schedule(command: CampaignCommand): this {
    this.driver.pipeInput('campaign-commands', command.campaignId, { ...command, at: this.driver.now });
    this.devices.answer(this.driver);
    return this;
  }

  /** An operator's command on a campaign (CANCEL, ABORT, REMOVE_DEVICES, verbose logging), from `principal`; the devices answer. */
  command(campaignId: string, type: CommandType, deviceIds: readonly string[] = [], principal: string | null = null): this {
    const command: CampaignCommand = { commandId: `${campaignId}-${type}-${this.driver.now}-${principal}`, campaignId, type, request: null, deviceIds, part: 0, parts: 1, deviceCount: null, at: this.driver.now, principal };
    this.driver.pipeInput('campaign-commands', campaignId, command);
    this.devices.answer(this.driver);
    return this;
  }

  /** Moves the simulated clock on, stopping at each wake-up for the devices to answer what it sent. */
  advance(ms: number): this {
    return this.advanceTo(this.driver.now + ms);
  }

  advanceTo(at: number): this {
    for (let next = this.driver.nextWakeAt(); next !== undefined && next <= at; next = this.driver.nextWakeAt()) {
      this.driver.advanceWallClockTime(Math.max(0, next - this.driver.now));
      this.devices.answer(this.driver);
    }
    this.driver.advanceWallClockTime(at - this.driver.now);
    this.devices.answer(this.driver);
    return this;
  }

  /** Every device checks in now (HTTP devices poll so) and the devices answer what follows. */
  checkIn(): this {
    this.devices.checkInAll(this.driver);
    this.devices.answer(this.driver);
    return this;
  }

  events(campaignId?: string): CampaignEvent[] {
    return this.driver.outputs<CampaignEvent>('campaign-events').map((r) => r.value).filter((e) => campaignId === undefined || e.campaignId === campaignId);
  }

  /** The campaign's transitions as `from->to`. */
  transitions(campaignId: string): string[] {
    return this.events(campaignId).filter((e) => e.type === 'STATE_CHANGED').map((e) => `${e.from}->${e.to}`);
  }

  /** The campaign's last transition event. */
  lastTransition(campaignId: string): CampaignEvent | undefined {
    return this.events(campaignId).filter((e) => e.type === 'STATE_CHANGED').at(-1);
  }

  decisions(campaignId?: string): [string | null, string | null, string | null][] {
    return this.events(campaignId).filter((e) => e.type === 'DEVICE_DECISION').map((e) => [e.deviceId, e.deviceStatus, e.detail]);
  }

  results(campaignId?: string): DeviceResult[] {
    return this.driver.outputs<DeviceResult>('campaign-device-results').map((r) => r.value).filter((r) => campaignId === undefined || r.campaignId === campaignId);
  }

  /** The one result of a device (throws on none or more than one, R-RES-4). */
  resultOf(deviceId: string, campaignId?: string): DeviceResult {
    const mine = this.results(campaignId).filter((r) => r.deviceId === deviceId);
    if (mine.length !== 1) throw new Error(`${deviceId} has ${mine.length} results, not one: ${JSON.stringify(mine)}`);
    return mine[0]!;
  }

  commandsTo(deviceId: string): { kind: string; attempt: number; at: number; command: DeviceCommand }[] {
    return this.driver
      .outputs<DeviceCommand>('device-commands')
      .filter((c) => c.value.deviceId === deviceId)
      .map((c) => ({ kind: c.value.kind, attempt: c.value.attempt, at: c.at, command: c.value }));
  }
}
