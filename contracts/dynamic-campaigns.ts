import { InvalidMessage } from '../services/runtime/actor.ts';
import type { OfferTerms } from './common.ts';
import { fieldsOf } from './fields.ts';

/**
 * otaflow.dynamic-campaigns (key: campaignId), internal and compacted (R-SAFE-5): the offer
 * terms of each running dynamic campaign, `open` when it starts, `closed` when it reaches a
 * terminal state (end date, cancel, abort, abort criteria). Every device service instance reads
 * the whole topic into its catalog (services/device/dynamic-catalog.ts), like a Kafka Streams
 * GlobalKTable; compaction keeps the last record of each campaign.
 */
export type DynamicCampaignRecord =
  | { readonly type: 'open'; readonly campaignId: string; readonly terms: OfferTerms; readonly endAt: number; readonly at: number }
  | { readonly type: 'closed'; readonly campaignId: string; readonly reason: string; readonly at: number };

export function parseDynamicCampaign(value: unknown, key: string): DynamicCampaignRecord {
  const m = value as DynamicCampaignRecord;
  const check = fieldsOf('dynamic campaign');
  check.key('campaignId', m?.campaignId, key);
  if (m.type === 'closed') return m;
  if (m.type !== 'open' || !m.terms || typeof m.terms.make !== 'string' || typeof m.terms.model !== 'string' || !Array.isArray(m.terms.fromVersions)) {
    throw new InvalidMessage('dynamic campaign: expected {type: "open", campaignId, terms: {make, model, fromVersions, ...}, endAt} or {type: "closed", campaignId, reason}');
  }
  check.instant('endAt', m.endAt);
  return m;
}
