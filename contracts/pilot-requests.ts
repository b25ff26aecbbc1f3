import { InvalidMessage } from '../services/runtime/actor.ts';

/** The pilot actor's key: one pilot per make, model and target version (R-PILOT-1). */
export const pilotKey = (make: string, model: string, targetVersion: string) => `${make}|${model}|${targetVersion}`;

/** otaflow.pilot.requests (key: make|model|targetVersion), internal. */
export type PilotRequest =
  | { readonly type: 'gate'; readonly campaignId: string; readonly make: string; readonly model: string; readonly targetVersion: string; readonly deviceCount: number; readonly at: number }
  | { readonly type: 'progress'; readonly campaignId: string; readonly accepted: number; readonly succeeded: number; readonly failed: number; readonly at: number };

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
