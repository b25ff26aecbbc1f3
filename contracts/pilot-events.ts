import { InvalidMessage } from '../services/runtime/actor.ts';

/** otaflow.pilot.events (key: make|model|targetVersion), internal, for the pilot_success projection. */
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

export function parsePilotEvent(value: unknown, key: string): PilotEvent {
  const e = value as PilotEvent;
  if (!e || e.key !== key || typeof e.campaignId !== 'string' || typeof e.rate !== 'number') throw new InvalidMessage(`pilot event: key "${key}" is not its make|model|target, or counts are missing`);
  return e;
}
