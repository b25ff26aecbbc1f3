import { InvalidMessage } from '../services/runtime/actor.ts';
import type { ControlAction, OfferTerms } from './common.ts';
import { fieldsOf } from './fields.ts';

/**
 * otaflow.device.campaign (key: deviceId), internal. Offers and controls of a campaign reach a
 * device on this one topic, so a cancel can never overtake its offer.
 */
export interface Offer extends OfferTerms {
  readonly type: 'offer';
  readonly campaignId: string;
  readonly deviceId: string;
  /** Which part of the campaign's list and which wave (R-SAFE-3) named the device; the decision carries them back. */
  readonly part?: number;
  readonly wave?: number;
  /** R-SAFE-5: a dynamic campaign the device took at a check-in (its actor's own offer, never on this topic). */
  readonly dynamic?: boolean;
  readonly at: number;
}

export interface CampaignControl {
  readonly type: 'control';
  readonly campaignId: string;
  readonly deviceId: string;
  readonly action: ControlAction;
  readonly at: number;
}

/** From the verbose logging actor (R-LOG-1). */
export interface VerboseControl {
  readonly type: 'verbose';
  readonly deviceId: string;
  readonly on: boolean;
  readonly at: number;
}

export type DeviceCampaignMessage = Offer | CampaignControl | VerboseControl;

const controlActions: ReadonlySet<string> = new Set<ControlAction>(['start', 'cancel', 'abort', 'end', 'remove', 'halt']);

export function parseDeviceCampaignMessage(value: unknown, key: string): DeviceCampaignMessage {
  const m = value as DeviceCampaignMessage;
  if (m?.type === 'verbose') {
    if (typeof m.on !== 'boolean') throw new InvalidMessage('verbose control: "on" must be a boolean');
    fieldsOf('verbose control').key('deviceId', m.deviceId, key);
    return m;
  }
  if (m?.type === 'control') {
    if (typeof m.campaignId !== 'string' || !controlActions.has(m.action)) {
      throw new InvalidMessage('campaign control: expected {type: "control", campaignId, deviceId, action: start|cancel|abort|end|remove|halt, at}');
    }
    fieldsOf('campaign control').key('deviceId', m.deviceId, key);
    return m;
  }
  if (m?.type !== 'offer' || typeof m.campaignId !== 'string' || typeof m.targetVersion !== 'string' || !Array.isArray(m.fromVersions) || !m.package || !m.windows) {
    throw new InvalidMessage('device offer: expected {type: "offer", campaignId, targetVersion, fromVersions[], package, windows, ...}');
  }
  fieldsOf('device offer').key('deviceId', m.deviceId, key);
  return m;
}
