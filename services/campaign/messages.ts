import { InvalidMessage } from '../runtime/actor.ts';
import type { DeviceDecision, PackageRef, Protocol } from '../device/messages.ts';
import type { Schedule } from './schedule.ts';
import { parsePilotAnswer, type PilotAnswer } from '../pilot/messages.ts';

/** schemas/campaign-command.avsc CampaignRequest (R-REQ-1). */
export interface CampaignRequest {
  readonly api: 'V1' | 'V2';
  readonly protocol: Protocol;
  readonly make: string;
  readonly model: string;
  readonly fromVersions: readonly string[];
  readonly targetVersion: string;
  readonly packageKind: 'FIRMWARE' | 'SOFTWARE';
  readonly package: PackageRef;
  readonly schedule: Schedule;
  readonly retry: { readonly attempts: number; readonly intervalMinutes: number } | null;
  readonly pilot: boolean;
}

export type CommandType = 'SCHEDULE' | 'CANCEL' | 'ABORT' | 'REMOVE_DEVICES' | 'ENABLE_VERBOSE_LOGGING' | 'DISABLE_VERBOSE_LOGGING' | 'FETCH_VERBOSE_LOGS';

export interface CampaignCommand {
  readonly commandId: string;
  readonly campaignId: string;
  readonly type: CommandType;
  readonly request: CampaignRequest | null;
  readonly deviceIds: readonly string[];
  readonly part: number;
  readonly parts: number;
  readonly deviceCount: number | null;
  readonly at: number;
}

/** schemas/device-result.avsc */
export interface DeviceResult {
  readonly campaignId: string;
  readonly deviceId: string;
  readonly attempt: number;
  readonly status: 'UpgradeSuccess' | 'UpgradeFailed' | 'CampaignCancelled' | 'CampaignAborted';
  readonly detail: string;
  readonly cause: string | null;
  readonly cellId: string | null;
  readonly fromVersion: string | null;
  readonly toVersion: string | null;
  readonly at: number;
}

export type CampaignInput =
  | { readonly kind: 'command'; readonly command: CampaignCommand }
  | { readonly kind: 'decision'; readonly decision: DeviceDecision }
  | { readonly kind: 'result'; readonly result: DeviceResult }
  | { readonly kind: 'pilot'; readonly answer: PilotAnswer };

function checkKey(what: string, campaignId: string, key: string): void {
  if (!campaignId) throw new InvalidMessage(`${what}: campaignId is empty`);
  if (campaignId !== key) throw new InvalidMessage(`${what}: key "${key}" is not its campaignId "${campaignId}"`);
}

export function parseCommand(value: unknown, key: string): CampaignInput {
  const c = value as CampaignCommand;
  checkKey('campaign command', c.campaignId, key);
  if (!c.commandId) throw new InvalidMessage('campaign command: commandId is empty');
  if (c.type === 'SCHEDULE' && c.part === 0 && !c.request) throw new InvalidMessage('campaign command: SCHEDULE part 0 needs a request');
  return { kind: 'command', command: c };
}

export function parseDecision(value: unknown, key: string): CampaignInput {
  const d = value as DeviceDecision;
  if (d?.type !== 'decision' || typeof d.deviceId !== 'string' || !['Accepted', 'DeviceRejected', 'Duplicate'].includes(d.status)) {
    throw new InvalidMessage('device decision: expected {type: "decision", campaignId, deviceId, status: Accepted|DeviceRejected|Duplicate, detail}');
  }
  checkKey('device decision', d.campaignId, key);
  return { kind: 'decision', decision: d };
}

export function parseResult(value: unknown, key: string): CampaignInput {
  const r = value as DeviceResult;
  checkKey('device result', r.campaignId, key);
  if (!r.deviceId) throw new InvalidMessage('device result: deviceId is empty');
  return { kind: 'result', result: r };
}

export function parsePilotGateAnswer(value: unknown, key: string): CampaignInput {
  return { kind: 'pilot', answer: parsePilotAnswer(value, key) };
}
