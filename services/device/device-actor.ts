import type { ActorType, Output } from '../runtime/actor.ts';
import type { CellGrant } from '../cell/messages.ts';
import { currentVersion, details, rejectionOf } from './acceptance.ts';
import { httpEndCause, httpOnCheckin, httpOnReport } from './http-flow.ts';
import { lwm2mAwaitOnlineWake, lwm2mOnGrant, lwm2mOnline, lwm2mOnReport, lwm2mQueryCellId, startLwm2m, upgrade } from './lwm2m-flow.ts';
import { mqttOnline, mqttOnReport, startMqtt } from './mqtt-flow.ts';
import type { CampaignControl, Checkin, DeviceDecision, DeviceInput, Offer, StatusReport, VerboseControl } from './messages.ts';
import { fail, finish, logCommand, release, resultDetails, stepTimeouts, type Decided, type DeviceState, type UpgradeTask } from './task.ts';

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

export const deviceActor: ActorType<DeviceState, DeviceInput> = {
  name: 'device',
  initial: (deviceId) => ({ deviceId, profile: null, task: null, logging: 'off' }),
  wakeAt: (s) => s.task?.deadline ?? undefined,
  decide(state, input, now) {
    switch (input.kind) {
      case 'wake':
        return onWake(state, now);
      case 'checkin':
        return onCheckin(state, input.checkin, now);
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
};

const unchanged = (state: DeviceState): Decided => ({ state, outputs: [] });

function onCheckin(state: DeviceState, checkin: Checkin, now: number): Decided {
  // R-DEV-2: the latest check-in is the current state; an older one arriving late is ignored.
  if (state.profile && state.profile.at > checkin.at) return unchanged(state);
  const collecting = startCollecting({ ...state, profile: checkin }, now);
  const task = collecting.state.task;
  if (!task) return collecting;
  const next = task.offer.protocol === 'HTTP' ? httpOnCheckin(collecting.state, task, now) : task.step === 'awaitOnline' && checkin.connected ? online(collecting.state, task, now) : undefined;
  return next ? { state: next.state, outputs: [...collecting.outputs, ...next.outputs] } : collecting;
}

const online = (state: DeviceState, task: UpgradeTask, now: number) => (task.offer.protocol === 'MQTT' ? mqttOnline(state, task, now) : lwm2mOnline(state, task, now));

/** Starts (or, after a retry wait, restarts) the protocol's flow. */
function startFlow(state: DeviceState, task: UpgradeTask, now: number): Decided {
  switch (task.offer.protocol) {
    case 'MQTT':
      return startMqtt(state, task, now);
    // R-LC-4, R-FLOW-3: HTTP devices are never pushed; they are served when they check in.
    case 'HTTP':
      return { state: { ...state, task: { ...task, step: 'awaitCheckin', deadline: null } }, outputs: [] };
    default:
      return startLwm2m(state, task, now);
  }
}

/** R-LOG-1: verbose logging asked for starts collecting at the device's next check-in. */
function startCollecting(state: DeviceState, now: number): Decided {
  if (state.logging !== 'requested') return unchanged(state);
  return {
    state: { ...state, logging: 'collecting' },
    outputs: [logCommand(state.deviceId, 'START_LOG_COLLECTION', now), { topic: 'verbose-requests', key: 'fleet', value: { type: 'collecting', deviceId: state.deviceId, at: now } }],
  };
}

function onVerbose(state: DeviceState, verbose: VerboseControl, now: number): Decided {
  if (verbose.on) return unchanged(state.logging === 'off' ? { ...state, logging: 'requested' } : state);
  const outputs = state.logging === 'collecting' ? [logCommand(state.deviceId, 'STOP_LOG_COLLECTION', now)] : [];
  return { state: { ...state, logging: 'off' }, outputs };
}

function onOffer(state: DeviceState, offer: Offer, now: number): Decided {
  // R-DEV-3: a running log collection is a task too.
  const busyWith = state.task?.campaignId ?? (state.logging === 'collecting' ? 'log collection' : undefined);
  const strings = details[offer.api];
  const decision = (status: DeviceDecision['status'], detail: string): Output => ({
    topic: 'campaign-device-decisions',
    key: offer.campaignId,
    value: { type: 'decision', campaignId: offer.campaignId, deviceId: state.deviceId, status, detail, at: now } satisfies DeviceDecision,
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

function onControl(state: DeviceState, control: CampaignControl, now: number): Decided {
  const task = state.task;
  if (!task || task.campaignId !== control.campaignId) return unchanged(state);
  switch (control.action) {
    case 'start':
      return task.step === 'scheduled' ? startFlow(state, task, now) : unchanged(state);
    case 'cancel':
      return finish(state, task, 'CampaignCancelled', resultDetails.cancelled, now);
    case 'remove':
      return finish(state, task, 'CampaignCancelled', resultDetails.removed, now);
    case 'abort':
      // R-LC-2: devices already upgraded keep their result; the rest are aborted.
      return finish(state, task, 'CampaignAborted', resultDetails.aborted, now);
    case 'end': {
      const cause =
        task.offer.protocol === 'HTTP'
          ? httpEndCause(task)
          : task.step === 'awaitApplyWindow'
            ? resultDetails.applyWindowNeverReached
            : task.step === 'retryWait'
              ? task.lastCause!
              : (stepTimeouts[task.step]?.cause ?? resultDetails.endedBeforeStart);
      // The campaign is over: no retry follows.
      return finish(state, task, 'UpgradeFailed', cause, now);
    }
  }
}

function onStatus(state: DeviceState, report: StatusReport, now: number): Decided {
  const task = state.task;
  if (!task || task.step === 'scheduled' || task.step === 'retryWait' || (report.campaignId !== null && report.campaignId !== task.campaignId)) return unchanged(state);
  switch (task.offer.protocol) {
    case 'HTTP':
      return httpOnReport(state, task, report, now) ?? unchanged(state);
    case 'MQTT':
      return (task.step === 'awaitOnline' ? mqttOnline(state, task, now) : mqttOnReport(state, task, report, now)) ?? unchanged(state);
    default:
      // R-FLOW-1 step 1: any report means the device is online.
      if (task.step === 'awaitOnline') return lwm2mOnline(state, task, now);
      return lwm2mOnReport(state, task, report, now) ?? unchanged(state);
  }
}

function onGrant(state: DeviceState, grant: CellGrant, now: number): Decided {
  const task = state.task;
  const sameTask = task && task.campaignId === grant.campaignId && task.attempt === grant.attempt;
  if (sameTask && task.step === 'awaitToken') return lwm2mOnGrant(state, task, now);
  // A repeated grant of a token the device already holds changes nothing.
  if (sameTask && (task.step === 'download' || task.step === 'awaitApplyWindow' || task.step === 'update')) return unchanged(state);
  // A grant nobody waits for any more (timed out, finished, cancelled) goes straight back.
  return { state, outputs: [release(state.deviceId, grant.cellId, grant.campaignId, grant.attempt, 'no longer waiting', now)] };
}

function onWake(state: DeviceState, now: number): Decided {
  const task = state.task;
  if (!task || task.deadline === null || task.deadline > now) return unchanged(state);
  switch (task.step) {
    case 'retryWait': {
      // R-REQ-3: the next attempt starts the flow again (a download resumes where it stopped).
      const { lastCause: _done, ...next } = task;
      return startFlow(state, { ...next, attempt: task.attempt + 1, step: 'scheduled', deadline: null, lastPushAt: null, repushes: 0 }, now);
    }
    case 'awaitOnline':
      return task.offer.protocol === 'MQTT' ? fail(state, task, stepTimeouts.awaitOnline!.cause, now) : lwm2mAwaitOnlineWake(state, task, now);
    case 'awaitWindow':
      return startLwm2m(state, task, now);
    case 'awaitApplyWindow':
      return upgrade(state, task, now);
    case 'queryRadio':
      return lwm2mQueryCellId(state, task, now);
    default:
      return fail(state, task, stepTimeouts[task.step]!.cause, now);
  }
}
