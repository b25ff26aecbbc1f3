import { InvalidMessage } from '../services/runtime/actor.ts';

/** Verbose logging is one fleet-wide budget (R-LOG-1: at most 20 devices at a time), so one actor holds it. */
export const VERBOSE_KEY = 'fleet';

/** otaflow.verbose.requests (key: "fleet"), internal. */
export type VerboseRequest =
  | { readonly type: 'enable' | 'disable' | 'fetch'; readonly commandId: string; readonly campaignId: string; readonly deviceIds: readonly string[]; readonly at: number; readonly principal?: string | null }
  | { readonly type: 'collecting'; readonly deviceId: string; readonly at: number };

export function parseVerboseRequest(value: unknown, key: string): VerboseRequest {
  const m = value as VerboseRequest;
  if (key !== VERBOSE_KEY) throw new InvalidMessage(`verbose request: key must be "${VERBOSE_KEY}", got "${key}"`);
  if (m?.type === 'collecting' && typeof m.deviceId === 'string') return m;
  if ((m?.type === 'enable' || m?.type === 'disable' || m?.type === 'fetch') && Array.isArray(m.deviceIds) && typeof m.campaignId === 'string') return m;
  throw new InvalidMessage('verbose request: expected enable|disable|fetch with campaignId and deviceIds, or collecting with deviceId');
}
