import { InvalidMessage } from '../services/runtime/actor.ts';
import type { ControlAction, OfferTerms } from './common.ts';
import { MAX_DEVICE_IDS } from './input-limits.ts';

/**
 * otaflow.campaign.parts (key: `campaignId/part`), internal. The campaign actor keeps counts;
 * each part of its device list lives in a campaign-part actor, which tells its devices what
 * the campaign decides. The campaign lets devices start by `release` (R-SAFE-2/3/4): so many of
 * one wave's devices of this part, in list order, skipping those it was told `skip` (rejected,
 * named twice): a released start is never spent on a device that will not take it. A dynamic
 * campaign (R-SAFE-5) has DYNAMIC_PARTS more parts after those of its list, which devices that took it
 * at a check-in join by `add`, each in the part its id hashes to (dynamicPart).
 */
export type PartMessage =
  | {
      readonly type: 'members';
      readonly campaignId: string;
      readonly part: number;
      readonly deviceIds: readonly string[];
      readonly terms: OfferTerms;
      readonly offerNow: boolean;
      /** R-SAFE-3: each device's wave, in the order of deviceIds; absent: every device is in wave 0. */
      readonly waves?: readonly number[];
      readonly at: number;
    }
  | { readonly type: 'offer'; readonly campaignId: string; readonly part: number; readonly at: number }
  | { readonly type: 'control'; readonly campaignId: string; readonly part: number; readonly action: Exclude<ControlAction, 'remove'>; readonly at: number }
  | { readonly type: 'remove'; readonly campaignId: string; readonly part: number; readonly deviceIds: readonly string[]; readonly at: number }
  | { readonly type: 'release'; readonly campaignId: string; readonly part: number; readonly wave: number; readonly count: number; readonly at: number }
  | { readonly type: 'skip'; readonly campaignId: string; readonly part: number; readonly deviceId: string; readonly at: number }
  /** R-SAFE-5: a device that took the (dynamic) campaign at a check-in joins this dynamic part; it starts when released. */
  | { readonly type: 'add'; readonly campaignId: string; readonly part: number; readonly deviceId: string; readonly at: number };

export const partKey = (campaignId: string, part: number) => `${campaignId}/${part}`;

/**
 * R-SAFE-5: a dynamic campaign's parts after those of its list. Each holds the devices that joined
 * it at a check-in whose id hashes to it (FNV-1a, a contract like the key: changing it moves
 * devices between parts); 32 parts of 10,000 devices each stay far below a record each.
 */
export const DYNAMIC_PARTS = 32;

export function dynamicPart(deviceId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) h = Math.imul(h ^ deviceId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % DYNAMIC_PARTS;
}

export function parsePartMessage(value: unknown, key: string): PartMessage {
  const m = value as PartMessage;
  if (!m || typeof m.campaignId !== 'string' || !Number.isInteger(m.part) || m.part < 0) {
    throw new InvalidMessage('campaign part: expected {type, campaignId, part, ...}');
  }
  if (key !== partKey(m.campaignId, m.part)) throw new InvalidMessage(`campaign part: key "${key}" is not "${partKey(m.campaignId, m.part)}"`);
  switch (m.type) {
    case 'members':
      if (!Array.isArray(m.deviceIds) || m.deviceIds.length > MAX_DEVICE_IDS || !m.terms) {
        throw new InvalidMessage(`campaign part: "members" needs deviceIds (at most ${MAX_DEVICE_IDS}) and terms`);
      }
      if (m.waves !== undefined && (!Array.isArray(m.waves) || m.waves.length !== m.deviceIds.length)) throw new InvalidMessage('campaign part: "members" waves must give one wave per device');
      return m;
    case 'remove':
      if (!Array.isArray(m.deviceIds)) throw new InvalidMessage('campaign part: "remove" needs deviceIds');
      return m;
    case 'release':
      if (!Number.isInteger(m.wave) || m.wave < 0 || !Number.isInteger(m.count) || m.count < 0) throw new InvalidMessage('campaign part: "release" needs a wave and a count, whole numbers ≥ 0');
      return m;
    case 'skip':
    case 'add':
      if (typeof m.deviceId !== 'string') throw new InvalidMessage(`campaign part: "${m.type}" needs a deviceId`);
      return m;
    case 'offer':
    case 'control':
      return m;
    default:
      throw new InvalidMessage(`campaign part: unknown type "${(m as { type: unknown }).type}"`);
  }
}
