import { InvalidMessage } from '../services/runtime/actor.ts';

/** otaflow.pilot.answers (key: campaignId), internal. */
export interface PilotAnswer {
  readonly type: 'gate-answer';
  readonly campaignId: string;
  readonly open: boolean;
  /** The campaign is small enough to be a pilot of its make+model+target. */
  readonly pilot: boolean;
  readonly at: number;
}

export function parsePilotAnswer(value: unknown, key: string): PilotAnswer {
  const a = value as PilotAnswer;
  if (a?.type !== 'gate-answer' || a.campaignId !== key || typeof a.open !== 'boolean') throw new InvalidMessage('pilot answer: expected {type: "gate-answer", campaignId (the key), open, pilot}');
  return a;
}
