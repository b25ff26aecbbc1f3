import { InvalidMessage } from '../services/runtime/actor.ts';
import type { PackageRef } from './common.ts';
import { fieldsOf } from './fields.ts';

export type CommandKind =
  | 'QUERY_VERSION'
  | 'QUERY_RADIO'
  | 'SUBSCRIBE'
  | 'DELIVER_PACKAGE'
  | 'UPGRADE'
  | 'QUERY_RESULT'
  | 'UNSUBSCRIBE'
  | 'PUSH'
  | 'START_LOG_COLLECTION'
  | 'STOP_LOG_COLLECTION'
  | 'QUERY_CELL_ID';

export interface PackageDelivery extends PackageRef {
  /**
   * R-SEC-1: the signed download token (contracts/download-token.ts) of every delivery, valid
   * until `tokenExpiresAt` (R-FLOW-2). The device actor decides the expiry and leaves the token
   * null; the device service signs it as the command leaves (services/device/download-tokens.ts).
   */
  readonly token: string | null;
  readonly tokenExpiresAt: number;
  /** The package's signature for devices that check authenticity, as the campaign gave it; null when it gave none. */
  readonly signature: string | null;
}

/** device.commands (key: deviceId), schemas/device-command.avsc: a platform step for one device. */
export interface DeviceCommand {
  /** Stable across redelivery: deviceId/campaignId/attempt/kind. */
  readonly commandId: string;
  readonly deviceId: string;
  readonly campaignId: string;
  readonly attempt: number;
  readonly kind: CommandKind;
  readonly targetVersion: string;
  readonly package: PackageDelivery | null;
  readonly at: number;
}

/** A campaign step's command; only DELIVER_PACKAGE carries the package. */
export function campaignCommand(c: { deviceId: string; campaignId: string; attempt: number; kind: CommandKind; targetVersion: string; package?: PackageDelivery; at: number }): DeviceCommand {
  return { commandId: `${c.deviceId}/${c.campaignId}/${c.attempt}/${c.kind}`, deviceId: c.deviceId, campaignId: c.campaignId, attempt: c.attempt, kind: c.kind, targetVersion: c.targetVersion, package: c.package ?? null, at: c.at };
}

/** Log collection (R-LOG-1) is not part of a campaign: its commands name no campaign or version. */
export function logCommand(deviceId: string, kind: 'START_LOG_COLLECTION' | 'STOP_LOG_COLLECTION', at: number): DeviceCommand {
  return { commandId: `${deviceId}/verbose/${at}/${kind}`, deviceId, campaignId: '', attempt: 0, kind, targetVersion: '', package: null, at };
}

/** What a device gateway (or the fleet simulator) checks of a command before acting on it. */
export function parseDeviceCommand(value: unknown, key: string): DeviceCommand {
  const c = value as DeviceCommand;
  fieldsOf('device command').key('deviceId', c?.deviceId, key);
  if (typeof c.kind !== 'string' || typeof c.campaignId !== 'string' || !Number.isInteger(c.attempt)) throw new InvalidMessage('device command: expected {commandId, deviceId, campaignId, attempt, kind, targetVersion, package, at}');
  return c;
}
