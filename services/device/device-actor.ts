import type { CellGrant } from '../../contracts/cell-grants.ts';
import { VERBOSE_KEY } from '../../contracts/verbose-requests.ts';
import type { ActorType } from '../runtime/actor.ts';
import { currentVersion, details, rejectionOf } from './acceptance.ts';
import { httpFlow } from './flows/http.ts';
import { lwm2mFlow } from './flows/lwm2m.ts';
import { mqttFlow } from './flows/mqtt.ts';
import { omaDmFlow } from './flows/oma-dm.ts';
import type { ProtocolFlow } from './flows/protocol-flow.ts';
import type { CampaignControl, Offer, VerboseControl } from '../../contracts/device-campaign.ts';
import type { Checkin } from '../../contracts/device-checkins.ts';
import type { DeviceDecision } from '../../contracts/campaign-device-decisions.ts';
import type { Protocol } from '../../contracts/common.ts';
import type { StatusReport } from '../../contracts/device-status-reports.ts';
import { cellLimit } from '../cell/cell-limit.ts';
import { finish, logCollection, midUpgrade, release, resultDetails, type Decided, type DeviceOutput, type DeviceState, type UpgradeTask } from './task.ts';
import { noDynamicCampaigns, type DynamicOffer, type DynamicOffers } from './dynamic-catalog.ts';

/**
 * The device actor (key: deviceId) is the device's inventory entry (its latest check-in,
 * R-DEV-2) and the owner of its one current task (R-DEV-3): because one actor decides
 * every offer for the device, two campaigns can never both win it, whatever partitions
 * or instances their requests come through.
 *
 * An accepted device waits until its campaign starts, then walks its protocol's flow.
 * Every wait has a deadline in the state, so the runtime's durable wake-ups turn a missed
 * one into its R-FLOW-4 cause.
 */
export type { DeviceState } from './task.ts';

export type DeviceInput =
  | { readonly kind: 'checkin'; readonly checkin: Checkin }
  | { readonly kind: 'status'; readonly report: StatusReport }
  | { readonly kind: 'offer'; readonly offer: Offer }
  | { readonly kind: 'control'; readonly control: CampaignControl }
  | { readonly kind: 'verbose'; readonly verbose: VerboseControl }
  | { readonly kind: 'grant'; readonly grant: CellGrant };

/** The flow a task walks is its campaign's protocol (R-FLOW-1..3). */
const flows: Readonly<Record<Protocol, ProtocolFlow>> = { LWM2M: lwm2mFlow, OMA_DM: omaDmFlow, MQTT: mqttFlow, HTTP: httpFlow };
const flowOf = (task: UpgradeTask) => flows[task.offer.protocol];

/**
 * The device actor reading `dynamic`, the running dynamic campaigns (R-SAFE-5): the device
 * service's catalog, or a fixed one in tests. It is an argument of the decider, read only.
 */
export const deviceActorWith = (dynamic: DynamicOffers): ActorType<DeviceState, DeviceInput, DeviceOutput> => ({
  name: 'device',
  initial: (deviceId) => ({ deviceId, profile: null, task: null, logging: 'off' }),
  wakeAt: (s) => s.task?.deadline ?? undefined,
  decide(state, input, now) {
    switch (input.kind) {
      case 'wake':
        return onWake(state, now);
      case 'checkin':
        return onCheckin(state, input.checkin, now, dynamic);
      case 'offer':
        return onOffer(state, input.offer, now);
      case 'control':
        return onControl(state, input.control, now);
      case 'verbose':
        return onVerbose(state, input.verbose, now);
      case 'status':
        return onStatus(state, input.report, now);
      case 'grant':
        return onGrant(state, input.grant, now);
    }
  },
});

/** The device actor of a topology without dynamic campaigns. */
export const deviceActor = deviceActorWith(noDynamicCampaigns);

const unchanged = (state: DeviceState): Decided => ({ state, outputs: [] });

function onCheckin(state: DeviceState, checkin: Checkin, now: number, dynamic: DynamicOffers): Decided {
  // R-DEV-2: the latest check-in is the current state; an older one arriving late is ignored.
  if (state.profile && state.profile.at > checkin.at) return unchanged(state);
  const collecting = startCollecting({ ...state, profile: checkin }, now);
  const task = collecting.state.task;
  if (!task) return joinDynamic(collecting, dynamic, now);
  const next = flowOf(task).onCheckin(collecting.state, task, checkin, now);
  return next ? { state: next.state, outputs: [...collecting.outputs, ...next.outputs] } : collecting;
}

/**
 * R-SAFE-5: a device free of tasks (R-DEV-3: none, and no log collection) that checks in matching
 * a running dynamic campaign — its make, model and from-versions, and every other check of an
 * offer — takes it exactly as it takes an offer, its decision marked dynamic. A device never takes
 * the same dynamic campaign twice (it keeps their ids until their end), and one at the campaign's
 * target version no longer matches. A device that does not match gets nothing: no decision, no event.
 */
function joinDynamic(checkedIn: Decided, dynamic: DynamicOffers, now: number): Decided {
  const { state } = checkedIn;
  const profile = state.profile!;
  if (state.logging === 'collecting') return checkedIn;
  const offers = dynamic.of(profile.make, profile.model);
  if (offers.length === 0 && state.dynamic === undefined) return checkedIn;
  const taken = (state.dynamic ?? []).filter((t) => t.endAt > now);
  const matches = (o: DynamicOffer) => {
    const offer = dynamicOffer(state.deviceId, o, now);
    return o.endAt > now && !taken.some((t) => t.campaignId === o.campaignId) && currentVersion(profile, offer.packageKind) !== offer.targetVersion && rejectionOf(profile, offer, undefined) === undefined;
  };
  const found = offers.find(matches);
  const kept = taken.length === (state.dynamic?.length ?? 0) ? state : { ...state, dynamic: taken };
  if (!found) return { state: kept, outputs: checkedIn.outputs };
  const took = onOffer({ ...kept, dynamic: [...taken, { campaignId: found.campaignId, endAt: found.endAt }] }, dynamicOffer(state.deviceId, found, now), now);
  return { state: took.state, outputs: [...checkedIn.outputs, ...took.outputs] };
}

const dynamicOffer = (deviceId: string, o: DynamicOffer, now: number): Offer => ({ type: 'offer', campaignId: o.campaignId, deviceId, ...o.terms, dynamic: true, at: now });

/** R-LOG-1: verbose logging asked for starts collecting at the device's next check-in. */
function startCollecting(state: DeviceState, now: number): Decided {
  if (state.logging !== 'requested') return unchanged(state);
  return {
    state: { ...state, logging: 'collecting' },
    outputs: [logCollection(state.deviceId, 'START_LOG_COLLECTION', now), { topic: 'verbose-requests', key: VERBOSE_KEY, value: { type: 'collecting', deviceId: state.deviceId, at: now } }],
  };
}

function onVerbose(state: DeviceState, verbose: VerboseControl, now: number): Decided {
  if (verbose.on) return unchanged(state.logging === 'off' ? { ...state, logging: 'requested' } : state);
  const outputs = state.logging === 'collecting' ? [logCollection(state.deviceId, 'STOP_LOG_COLLECTION', now)] : [];
  return { state: { ...state, logging: 'off' }, outputs };
}

function onOffer(state: DeviceState, offer: Offer, now: number): Decided {
  // R-DEV-3: a running log collection is a task too.
  const busyWith = state.task?.campaignId ?? (state.logging === 'collecting' ? 'log collection' : undefined);
  const strings = details[offer.api];
  const decision = (status: DeviceDecision['status'], detail: string): DeviceOutput => ({
    topic: 'campaign-device-decisions',
    key: offer.campaignId,
    value: { type: 'decision', campaignId: offer.campaignId, deviceId: state.deviceId, status, detail, ...placeOf(state, offer), at: now },
  });
  // The campaign named this device twice: it already has its one decision (R-REQ-4).
  if (busyWith === offer.campaignId) return { state, outputs: [decision('Duplicate', 'Device named more than once in the request.')] };
  const rejection = rejectionOf(state.profile, offer, busyWith);
  if (rejection) return { state, outputs: [decision('DeviceRejected', strings[rejection])] };
  const task: UpgradeTask = {
    campaignId: offer.campaignId,
    attempt: 1,
    offer,
    step: 'scheduled',
    deadline: null,
    cellId: null,
    fromVersion: currentVersion(state.profile!, offer.packageKind),
    bytesDownloaded: 0,
    lastPushAt: null,
    repushes: 0,
  };
  return { state: { ...state, task }, outputs: [decision('Accepted', strings.accepted)] };
}

/**
 * What the campaign learns with a decision: the part and wave that named the device (R-SAFE-3)
 * and, for devices that take cell tokens, the cell of their latest check-in and the limit its
 * radio gives (R-SAFE-6 estimates from them).
 */
function placeOf(state: DeviceState, offer: Offer): Partial<DeviceDecision> {
  const radio = state.profile?.radio;
  const cells = offer.protocol === 'LWM2M' || offer.protocol === 'OMA_DM';
  return {
    ...(offer.part === undefined ? {} : { part: offer.part }),
    ...(offer.wave === undefined ? {} : { wave: offer.wave }),
    ...(offer.dynamic ? { dynamic: true } : {}),
    cellId: cells && radio ? radio.cellId : null,
    cellLimit: cells && radio ? cellLimit(radio) : null,
  };
}

function onControl(state: DeviceState, control: CampaignControl, now: number): Decided {
  const task = state.task;
  if (!task || task.campaignId !== control.campaignId) return unchanged(state);
  switch (control.action) {
    case 'start':
      return task.step === 'scheduled' ? flowOf(task).start(state, task, now) : unchanged(state);
    case 'cancel':
      return finish(state, task, 'CampaignCancelled', resultDetails.cancelled, now);
    case 'remove':
      return finish(state, task, 'CampaignCancelled', resultDetails.removed, now);
    case 'abort':
      // R-LC-2: devices already upgraded keep their result; the rest are aborted.
      return finish(state, task, 'CampaignAborted', resultDetails.aborted, now);
    case 'end':
      // The campaign is over: no retry follows.
      return finish(state, task, 'UpgradeFailed', flowOf(task).endCause(task), now);
    case 'halt':
      // R-SAFE-1: a device mid-upgrade finishes (without retries); one that has not begun stops.
      if (midUpgrade(task.step)) return unchanged({ ...state, task: { ...task, halted: true } });
      return finish(state, task, task.offer.api === 'V2' ? 'CampaignAborted' : 'CampaignCancelled', resultDetails.halted, now);
  }
}

function onStatus(state: DeviceState, report: StatusReport, now: number): Decided {
  const task = state.task;
  if (!task || task.step === 'scheduled' || task.step === 'retryWait' || (report.campaignId !== null && report.campaignId !== task.campaignId)) return unchanged(state);
  return flowOf(task).onReport(state, task, report, now) ?? unchanged(state);
}

function onGrant(state: DeviceState, grant: CellGrant, now: number): Decided {
  const task = state.task;
  if (task && task.campaignId === grant.campaignId && task.attempt === grant.attempt) {
    const flow = flowOf(task);
    if (task.step === 'awaitToken' && flow.onGrant) return flow.onGrant(state, task, now);
    // A repeated grant of a token the device already holds changes nothing.
    if (task.step === 'download' || task.step === 'awaitApplyWindow' || task.step === 'update') return unchanged(state);
  }
  // A grant nobody waits for any more (timed out, finished, cancelled) goes straight back.
  return { state, outputs: [release(state.deviceId, grant.cellId, grant.campaignId, grant.attempt, 'no longer waiting', now)] };
}

function onWake(state: DeviceState, now: number): Decided {
  const task = state.task;
  if (!task || task.deadline === null || task.deadline > now) return unchanged(state);
  if (task.step !== 'retryWait') return flowOf(task).onWake(state, task, now);
  // R-REQ-3: the next attempt starts the flow again (a download resumes where it stopped).
  const { lastCause: _done, grantedAt: _released, ...next } = task;
  return flowOf(task).start(state, { ...next, attempt: task.attempt + 1, step: 'scheduled', deadline: null, lastPushAt: null, repushes: 0 }, now);
}
