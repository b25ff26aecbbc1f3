import { campaignEvent } from '../../contracts/campaign-events.ts';
import type { Publish } from '../../contracts/index.ts';
import type { VerboseEvent } from '../../contracts/verbose-events.ts';
import type { VerboseRequest } from '../../contracts/verbose-requests.ts';
import type { ActorType, Decision } from '../runtime/actor.ts';

/**
 * R-LOG-1, verbose logging of HTTP devices: at most 20 devices at a time; it turns off by
 * itself after 7 days; a device starts collecting at its next check-in; logs can be
 * fetched 24 h after collection starts and are purged 30 days after it.
 */
export interface Session {
  readonly enabledAt: number;
  readonly autoOffAt: number;
  readonly collectingSince: number | null;
  readonly offAt: number | null;
}

export interface VerboseState {
  readonly sessions: Readonly<Record<string, Session>>;
}

const DAY = 86_400_000;
export const AUTO_OFF_MS = 7 * DAY;
export const FETCHABLE_AFTER_MS = DAY;
export const PURGE_AFTER_MS = 30 * DAY;

export const VERBOSE_MAX_DEVICES = 20;

export type VerboseOutput = Publish<'campaign-events' | 'device-campaign' | 'verbose-events'>;

type D = Decision<VerboseState, VerboseOutput>;

const active = (s: Session) => s.offAt === null;
export const fetchableAt = (s: Session) => (s.collectingSince === null ? null : s.collectingSince + FETCHABLE_AFTER_MS);
export const purgeAt = (s: Session) => (s.collectingSince ?? s.enabledAt) + PURGE_AFTER_MS;

export const verboseActor: ActorType<VerboseState, VerboseRequest, VerboseOutput> = {
  name: 'verbose',
  initial: () => ({ sessions: {} }),
  wakeAt: (state) => {
    const times = Object.values(state.sessions).map((s) => (active(s) ? s.autoOffAt : purgeAt(s)));
    return times.length === 0 ? undefined : Math.min(...times);
  },
  decide(state, input, now): D {
    if ('kind' in input) return onWake(state, now);
    switch (input.type) {
      case 'enable':
        return enable(state, input, now);
      case 'disable':
        return disable(state, input, now);
      case 'fetch':
        return fetch(state, input, now);
      case 'collecting': {
        const session = state.sessions[input.deviceId];
        if (!session || !active(session) || session.collectingSince !== null) return { state, outputs: [] };
        const next = { ...session, collectingSince: input.at };
        return { state: put(state, input.deviceId, next), outputs: [event(input.deviceId, next, 'collecting', now)] };
      }
    }
  },
};

type Command = Extract<VerboseRequest, { commandId: string }>;

function enable(state: VerboseState, c: Command, now: number): D {
  if (c.deviceIds.length === 0) return answer(state, c, false, 'deviceIds: name at least one device', now);
  const on = Object.entries(state.sessions).filter(([, s]) => active(s)).map(([d]) => d);
  const fresh = [...new Set(c.deviceIds)].filter((d) => !on.includes(d));
  if (on.length + fresh.length > VERBOSE_MAX_DEVICES) {
    return answer(state, c, false, `verbose logging is limited to ${VERBOSE_MAX_DEVICES} devices at a time; ${on.length} are on and ${fresh.length} more were asked for`, now);
  }
  let s = state;
  const outputs: VerboseOutput[] = [];
  for (const deviceId of fresh) {
    const session: Session = { enabledAt: now, autoOffAt: now + AUTO_OFF_MS, collectingSince: null, offAt: null };
    s = put(s, deviceId, session);
    outputs.push(toDevice(deviceId, true, now), event(deviceId, session, 'enabled', now));
  }
  const until = new Date(now + AUTO_OFF_MS).toISOString();
  return withAnswer({ state: s, outputs }, c, true, `verbose logging on for ${fresh.length} devices until ${until}; they start collecting at their next check-in`, now);
}

function disable(state: VerboseState, c: Command, now: number): D {
  let s = state;
  const outputs: VerboseOutput[] = [];
  for (const deviceId of c.deviceIds) {
    const session = s.sessions[deviceId];
    if (!session || !active(session)) continue;
    const off = { ...session, offAt: now };
    s = put(s, deviceId, off);
    outputs.push(toDevice(deviceId, false, now), event(deviceId, off, 'off', now));
  }
  return withAnswer({ state: s, outputs }, c, true, `verbose logging off for ${outputs.length / 2} devices`, now);
}

function fetch(state: VerboseState, c: Command, now: number): D {
  const problems: string[] = [];
  for (const deviceId of c.deviceIds) {
    const session = state.sessions[deviceId];
    const from = session ? fetchableAt(session) : null;
    if (!session || from === null) problems.push(`${deviceId} has collected no logs`);
    else if (from > now) problems.push(`${deviceId}'s logs can be fetched from ${new Date(from).toISOString()}`);
  }
  if (c.deviceIds.length === 0) problems.push('deviceIds: name at least one device');
  if (problems.length > 0) return answer(state, c, false, problems.join('; '), now);
  return answer(state, c, true, `logs of ${c.deviceIds.length} devices can be fetched`, now);
}

function onWake(state: VerboseState, now: number): D {
  let s = state;
  const outputs: VerboseOutput[] = [];
  for (const [deviceId, session] of Object.entries(state.sessions)) {
    if (active(session) && session.autoOffAt <= now) {
      const off = { ...session, offAt: session.autoOffAt };
      s = put(s, deviceId, off);
      outputs.push(toDevice(deviceId, false, now), event(deviceId, off, 'off', now));
    } else if (!active(session) && purgeAt(session) <= now) {
      const { [deviceId]: _purged, ...rest } = s.sessions;
      s = { sessions: rest };
      outputs.push(event(deviceId, session, 'purged', now));
    }
  }
  return { state: s, outputs };
}

const put = (s: VerboseState, deviceId: string, session: Session): VerboseState => ({ sessions: { ...s.sessions, [deviceId]: session } });

function toDevice(deviceId: string, on: boolean, at: number): VerboseOutput {
  return { topic: 'device-campaign', key: deviceId, value: { type: 'verbose', deviceId, on, at } };
}

function event(deviceId: string, s: Session, type: VerboseEvent['type'], at: number): VerboseOutput {
  return { topic: 'verbose-events', key: deviceId, value: { type, deviceId, enabledAt: s.enabledAt, autoOffAt: s.autoOffAt, collectingSince: s.collectingSince, offAt: s.offAt, fetchableAt: fetchableAt(s), purgeAt: purgeAt(s), at } };
}

function answer(state: VerboseState, c: Command, accepted: boolean, reason: string, now: number): D {
  return withAnswer({ state, outputs: [] }, c, accepted, reason, now);
}

function withAnswer(d: D, c: Command, accepted: boolean, reason: string, now: number): D {
  const kind = { enable: 'ENABLE_VERBOSE_LOGGING', disable: 'DISABLE_VERBOSE_LOGGING', fetch: 'FETCH_VERBOSE_LOGS' }[c.type];
  // The verbose actor knows no campaign's request: the event names none.
  const value = campaignEvent(c.campaignId, null, now, { type: accepted ? 'COMMAND_ACCEPTED' : 'COMMAND_REFUSED', commandId: c.commandId, principal: c.principal ?? null, reason: `${kind}: ${reason}`, deviceCount: c.deviceIds.length });
  return { state: d.state, outputs: [...d.outputs, { topic: 'campaign-events', key: c.campaignId, value }] };
}
