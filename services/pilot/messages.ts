import { InvalidMessage } from '../runtime/actor.ts';

export const PILOT_MAX_DEVICES = 20;
export const PILOT_MIN_DEVICES = 5;
export const PILOT_MIN_SUCCESS_RATE = 0.5;

export const pilotKey = (make: string, model: string, targetVersion: string) => `${make}|${model}|${targetVersion}`;

/** Internal contract of otaflow.pilot.requests (key: make|model|targetVersion). */
export type PilotRequest =
  | { readonly type: 'gate'; readonly campaignId: string; readonly make: string; readonly model: string; readonly targetVersion: string; readonly deviceCount: number; readonly at: number }
  | { readonly type: 'progress'; readonly campaignId: string; readonly accepted: number; readonly succeeded: number; readonly failed: number; readonly at: number };

/** Internal contract of otaflow.pilot.answers (key: campaignId). */
export interface PilotAnswer {
  readonly type: 'gate-answer';
  readonly campaignId: string;
  readonly open: boolean;
  /** The campaign is small enough to be a pilot of its make+model+target. */
  readonly pilot: boolean;
  readonly at: number;
}

/** Internal contract of otaflow.pilot.events (key: make|model|targetVersion), for the pilot_success projection. */
export interface PilotEvent {
  readonly type: 'pilot-progress' | 'gate-opened';
  readonly key: string;
  readonly make: string;
  readonly model: string;
  readonly targetVersion: string;
  readonly campaignId: string;
  readonly accepted: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly rate: number;
  readonly gateOpen: boolean;
  readonly at: number;
}

export function parsePilotRequest(value: unknown, key: string): PilotRequest {
  const m = value as PilotRequest;
  if (typeof m?.campaignId !== 'string') throw new InvalidMessage('pilot request: campaignId must be a string');
  if (m.type === 'gate') {
    if (typeof m.deviceCount !== 'number' || key !== pilotKey(m.make, m.model, m.targetVersion)) {
      throw new InvalidMessage(`pilot request: a gate question needs deviceCount and the key make|model|targetVersion, got key "${key}"`);
    }
    return m;
  }
  if (m.type === 'progress' && [m.accepted, m.succeeded, m.failed].every((n) => Number.isInteger(n) && n >= 0)) return m;
  throw new InvalidMessage('pilot request: expected type gate or progress with counts');
}

export function parsePilotAnswer(value: unknown, key: string): PilotAnswer {
  const a = value as PilotAnswer;
  if (a?.type !== 'gate-answer' || a.campaignId !== key || typeof a.open !== 'boolean') throw new InvalidMessage('pilot answer: expected {type: "gate-answer", campaignId (the key), open, pilot}');
  return a;
}
