import type { OfferTerms } from '../../contracts/common.ts';
import { parseDynamicCampaign } from '../../contracts/dynamic-campaigns.ts';
import type { ParseContext } from '../runtime/actor.ts';
import type { GlobalTable } from '../runtime/global-table.ts';

/** A running dynamic campaign as a device checking in may take it (R-SAFE-5). */
export interface DynamicOffer {
  readonly campaignId: string;
  readonly terms: OfferTerms;
  readonly endAt: number;
}

/** What the device actor reads of the running dynamic campaigns: read-only, passed into its decider. */
export interface DynamicOffers {
  /** The running dynamic campaigns of a make and model, oldest first. */
  of(make: string, model: string): readonly DynamicOffer[];
}

const none: readonly DynamicOffer[] = [];

export const noDynamicCampaigns: DynamicOffers = { of: () => none };

/** Makes and models hold no control characters (contracts/fields.ts): NUL cannot occur in either. */
const byModel = (make: string, model: string) => `${make}\u0000${model}`;

/**
 * The device service's catalog of running dynamic campaigns, indexed by make and model: the
 * table of otaflow.dynamic-campaigns every instance reads whole (services/runtime/global-table.ts).
 * It holds only running campaigns: a closed one is dropped.
 */
export class DynamicCatalog implements DynamicOffers, GlobalTable {
  readonly topic = 'dynamic-campaigns';
  readonly #models = new Map<string, Map<string, DynamicOffer>>();
  readonly #modelOf = new Map<string, string>();
  /** Every free device's check-in asks: the list of a model is made once per change of it, not per check-in. */
  readonly #lists = new Map<string, readonly DynamicOffer[]>();

  of(make: string, model: string): readonly DynamicOffer[] {
    const key = byModel(make, model);
    const listed = this.#lists.get(key);
    if (listed) return listed;
    const offers = this.#models.get(key);
    if (!offers) return none;
    const list = [...offers.values()];
    this.#lists.set(key, list);
    return list;
  }

  apply(key: string, value: unknown, _context: ParseContext): void {
    const record = parseDynamicCampaign(value, key);
    this.#drop(record.campaignId);
    if (record.type === 'closed') return;
    const model = byModel(record.terms.make, record.terms.model);
    const offers = this.#models.get(model) ?? this.#models.set(model, new Map()).get(model)!;
    offers.set(record.campaignId, { campaignId: record.campaignId, terms: record.terms, endAt: record.endAt });
    this.#modelOf.set(record.campaignId, model);
    this.#lists.delete(model);
  }

  #drop(campaignId: string): void {
    const model = this.#modelOf.get(campaignId);
    if (model === undefined) return;
    this.#modelOf.delete(campaignId);
    const offers = this.#models.get(model)!;
    offers.delete(campaignId);
    this.#lists.delete(model);
    if (offers.size === 0) this.#models.delete(model);
  }
}
