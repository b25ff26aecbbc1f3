import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { OfferTerms, Protocol } from '../../contracts/common.ts';
import type { Checkin } from '../../contracts/device-checkins.ts';
import type { PackedStates } from '../runtime/actor.ts';
import { Defect } from '../runtime/errors.ts';
import { stepTimeouts, type DeviceState, type Step, type UpgradeTask } from './task.ts';

/**
 * The device state packed (issue 11: a fleet of millions in one service's memory): one string of
 * fields, which is also the changelog record, and the campaign's offer terms kept once, as a shared
 * value referred to by id. A device accepted into a running campaign costs its packed string (some
 * 150 characters), its key and its map entry; a state unpacks only to be decided.
 *
 * Layout ("1" and the fields, separated by SEP): the task's deadline first (wakeAt reads it alone),
 * then logging, the profile (the latest check-in, R-DEV-2), the dynamic campaigns taken (R-SAFE-5)
 * and the task. Numbers that are safe
 * integers are base 36; null is the empty field for numbers and NUL for strings. A state this
 * layout does not cover exactly (a field it does not know, a string with SEP or NUL) is written as
 * "J" and its JSON instead, so nothing is ever lost by packing.
 */
const SEP = '\u001f';
const NULL = '\u0000';
const LAYOUT = '1';
const AS_JSON = 'J';

const stateKeys = new Set(['deviceId', 'profile', 'task', 'logging', 'dynamic']);
const checkinKeys = new Set(['deviceId', 'imei', 'make', 'model', 'protocol', 'firmwareVersion', 'softwareVersion', 'clientType', 'fotaCapable', 'connected', 'radio', 'at']);
const radioKeys = new Set(['cellId', 'rsrp', 'sinr']);
const taskKeys = new Set(['campaignId', 'attempt', 'offer', 'step', 'deadline', 'cellId', 'fromVersion', 'bytesDownloaded', 'lastPushAt', 'repushes', 'lastCause', 'halted', 'grantedAt']);
/** Fields of an offer that are the device's own, not its campaign's terms (contracts/device-campaign.ts Offer). */
const offerOwnKeys = new Set(['type', 'campaignId', 'deviceId', 'part', 'wave', 'dynamic', 'at']);
/** R-SAFE-5: the dynamic campaigns taken, "L" and each campaign id and end (ITEM_SEP between them, ITEM between entries); "" when none was ever taken. */
const LIST = 'L';
const ITEM = '\u001e';
const ITEM_SEP = '\u001d';
const steps = Object.keys(stepTimeouts) as Step[];
const loggings = ['off', 'requested', 'collecting'] as const;
const protocols: readonly Protocol[] = ['LWM2M', 'OMA_DM', 'HTTP', 'MQTT'];

/** What a device's task refers to: its campaign and that campaign's offer terms, one object per process. */
interface CampaignTerms {
  readonly campaignId: string;
  readonly terms: OfferTerms;
}

class NotPackable extends Error {}

/** A state kept as JSON: this layout's fallback ("J" and the JSON), or a record written before states were packed (the JSON alone). */
const jsonOf = (packed: string): string | undefined => (packed[0] === AS_JSON ? packed.slice(1) : packed[0] === '{' ? packed : undefined);

const onlyKeys = (value: object, known: ReadonlySet<string>) => {
  for (const k of Object.keys(value)) if (!known.has(k)) throw new NotPackable(k);
};

const num = (n: number | null | undefined): string => (n === null || n === undefined ? '' : Number.isSafeInteger(n) ? n.toString(36) : `~${n}`);
const numOf = (f: string): number | null => (f === '' ? null : f.charCodeAt(0) === 126 ? Number(f.slice(1)) : parseInt(f, 36));
const str = (s: string | null | undefined): string => {
  if (s === null || s === undefined) return NULL;
  if (s.includes(SEP) || s.includes(NULL)) throw new NotPackable('separator');
  return s;
};
const strOf = (f: string): string | null => (f === NULL ? null : f);
/** A string inside a list field: none of the list's separators either. */
const item = (s: string): string => (s.includes(ITEM) || s.includes(ITEM_SEP) ? fail('list separator') : req(s));
/** A field that is never null: anything else than its type is not packed. */
const req = (s: unknown): string => (typeof s === 'string' ? str(s) : fail('string'));
const reqNum = (n: unknown): string => (typeof n === 'number' ? num(n) : fail('number'));
const bool = (b: unknown): number => (typeof b === 'boolean' ? (b ? 1 : 0) : fail('boolean'));
const fail = (what: string): never => {
  throw new NotPackable(what);
};

/** The offer terms a task keeps: its offer without the device's own fields. */
function termsOf(offer: OfferTerms): OfferTerms {
  const terms: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(offer)) if (!offerOwnKeys.has(k)) terms[k] = v;
  return terms as unknown as OfferTerms;
}

/**
 * The device actor's PackedStates. The shared value of a campaign's terms has the id of its
 * content (campaign id and terms), so a campaign whose terms changed could never be confused with
 * its earlier ones; ids are remembered per terms object, and the last terms of each campaign are
 * compared with a new offer's before hashing anything.
 */
export function packedDeviceStates(): PackedStates<DeviceState> {
  /** Per terms object (an offer, or the terms unpacked states share): its shared value and id. */
  const known = new WeakMap<OfferTerms, { readonly id: string; readonly value: CampaignTerms }>();
  const lastOf = new Map<string, { readonly id: string; readonly value: CampaignTerms }>();

  const termsId = (task: UpgradeTask, share: (id: string, value: unknown) => void): string => {
    let entry = known.get(task.offer);
    if (entry === undefined) {
      const terms = termsOf(task.offer);
      const last = lastOf.get(task.campaignId);
      if (last && isDeepStrictEqual(last.value.terms, terms)) entry = last;
      else {
        const value: CampaignTerms = { campaignId: task.campaignId, terms };
        entry = { id: createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16), value };
        lastOf.set(task.campaignId, entry);
      }
      known.set(task.offer, entry);
    }
    if (entry.value.campaignId !== task.campaignId) throw new NotPackable('campaignId');
    share(entry.id, entry.value);
    return entry.id;
  };

  const packLayout = (key: string, s: DeviceState, share: (id: string, value: unknown) => void): string => {
    onlyKeys(s, stateKeys);
    if (s.deviceId !== key) throw new NotPackable('deviceId');
    const f: string[] = [LAYOUT + num(s.task?.deadline), loggings.indexOf(s.logging).toString()];
    const p = s.profile;
    if (p) {
      onlyKeys(p, checkinKeys);
      if (p.radio) onlyKeys(p.radio, radioKeys);
      if (p.deviceId !== key) throw new NotPackable('profile.deviceId');
      const protocol = protocols.indexOf(p.protocol);
      if (protocol < 0) throw new NotPackable('protocol');
      const flags = bool(p.fotaCapable) | (bool(p.connected) << 1) | (p.radio ? 4 : 0);
      f.push(reqNum(p.at), req(p.imei), req(p.make), req(p.model), protocol.toString(), req(p.firmwareVersion), req(p.softwareVersion), req(p.clientType), flags.toString());
      if (p.radio) f.push(req(p.radio.cellId), num(p.radio.rsrp), num(p.radio.sinr));
      else f.push('', '', '');
    } else f.push('', '', '', '', '', '', '', '', '', '', '', '');
    f.push(s.dynamic === undefined ? '' : LIST + s.dynamic.map((d) => `${item(d.campaignId)}${ITEM_SEP}${reqNum(d.endAt)}`).join(ITEM));
    const t = s.task;
    if (t) {
      onlyKeys(t, taskKeys);
      const step = steps.indexOf(t.step);
      if (step < 0) throw new NotPackable('step');
      const halted = t.halted === undefined ? '' : bool(t.halted).toString();
      const lastCause = t.lastCause === undefined ? NULL : req(t.lastCause);
      f.push(termsId(t, share), reqNum(t.attempt), step.toString(36), str(t.cellId), str(t.fromVersion), reqNum(t.bytesDownloaded), num(t.lastPushAt), reqNum(t.repushes), lastCause, halted, num(t.grantedAt));
    }
    return f.join(SEP);
  };

  return {
    pack(key, state, share) {
      try {
        return packLayout(key, state, share);
      } catch (e) {
        if (!(e instanceof NotPackable)) throw e;
        return AS_JSON + JSON.stringify(state);
      }
    },

    unpack(key, packed, shared) {
      const json = jsonOf(packed);
      if (json !== undefined) return JSON.parse(json) as DeviceState;
      if (packed[0] !== LAYOUT) throw new Defect(`device "${key.slice(0, 64)}": packed state of unknown layout "${packed[0]}"`);
      const f = packed.split(SEP);
      const deadline = numOf(f[0]!.slice(1));
      const profile: Checkin | null =
        f[2] === ''
          ? null
          : {
              deviceId: key,
              imei: f[3]!,
              make: f[4]!,
              model: f[5]!,
              protocol: protocols[Number(f[6])]!,
              firmwareVersion: f[7]!,
              softwareVersion: f[8]!,
              clientType: f[9]!,
              fotaCapable: (Number(f[10]) & 1) !== 0,
              connected: (Number(f[10]) & 2) !== 0,
              radio: (Number(f[10]) & 4) !== 0 ? { cellId: f[11]!, rsrp: numOf(f[12]!), sinr: numOf(f[13]!) } : null,
              at: numOf(f[2]!)!,
            };
      const dynamic = f[14] === '' ? undefined : f[14]!.slice(1).split(ITEM).filter((e) => e !== '').map((e) => {
        const [campaignId, endAt] = e.split(ITEM_SEP);
        return { campaignId: campaignId!, endAt: numOf(endAt!)! };
      });
      let task: UpgradeTask | null = null;
      if (f.length > 15) {
        const { campaignId, terms } = shared(f[15]!) as CampaignTerms;
        const lastCause = strOf(f[23]!);
        const grantedAt = numOf(f[25]!);
        task = {
          campaignId,
          attempt: numOf(f[16]!)!,
          offer: terms,
          step: steps[parseInt(f[17]!, 36)]!,
          deadline,
          cellId: strOf(f[18]!),
          fromVersion: strOf(f[19]!),
          bytesDownloaded: numOf(f[20]!)!,
          lastPushAt: numOf(f[21]!),
          repushes: numOf(f[22]!)!,
          ...(lastCause === null ? {} : { lastCause }),
          ...(f[24] === '' ? {} : { halted: f[24] === '1' }),
          ...(grantedAt === null ? {} : { grantedAt }),
        };
        known.set(terms, { id: f[15]!, value: { campaignId, terms } });
      }
      return { deviceId: key, profile, task, logging: loggings[Number(f[1])]!, ...(dynamic === undefined ? {} : { dynamic }) };
    },

    wakeAt(packed) {
      const json = jsonOf(packed);
      if (json !== undefined) return (JSON.parse(json) as DeviceState).task?.deadline ?? undefined;
      const end = packed.indexOf(SEP);
      return numOf(packed.slice(1, end < 0 ? undefined : end)) ?? undefined;
    },
  };
}
