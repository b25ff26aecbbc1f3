import { InvalidMessage, type ParseContext } from '../services/runtime/actor.ts';
import type { RetryPolicy, Schedule, UpgradeTarget, Window } from './common.ts';
import { fieldsOf, stringRules, type FieldChecks } from './fields.ts';
import { MAX_DEVICE_IDS, MAX_LIST_NAMES } from './input-limits.ts';

/** R-SAFE-1: FAILED counts failures the device reported, TIMED_OUT platform waits that ran out, ANY both. */
export interface AbortCriterion {
  readonly failureKind: 'FAILED' | 'TIMED_OUT' | 'ANY';
  readonly thresholdPercent: number;
  readonly minFinished: number;
}

/** R-SAFE-2: a start rate cap, optionally reached by an exponential ramp. */
export interface RateLimit {
  readonly maxPerMinute: number;
  readonly ramp: { readonly basePerMinute: number; readonly factor: number; readonly every: number; readonly counting: 'NOTIFIED' | 'SUCCEEDED' } | null;
}

/** R-SAFE-3: one wave, by percent of the devices or by list. */
export interface Wave {
  readonly percent: number | null;
  readonly deviceIds: readonly string[];
  readonly successThresholdPercent: number;
}

/** The rollout safety fields of a request (R-SAFE-1..3, 5); absent from requests written before them. */
export interface RolloutRequest {
  readonly abortCriteria: readonly AbortCriterion[];
  readonly rate: RateLimit | null;
  readonly waves: readonly Wave[];
  readonly manualNextWave: boolean;
  readonly dynamic: boolean;
}

/** schemas/campaign-command.avsc CampaignRequest (R-REQ-1); the rollout fields are optional to producers (Avro defaults). */
export interface CampaignRequest extends UpgradeTarget, Partial<RolloutRequest> {
  readonly schedule: Schedule;
  readonly retry: RetryPolicy | null;
  readonly pilot: boolean;
}

/** schemas/campaign-command.avsc CommandType, in its order. */
export const commandTypes = ['SCHEDULE', 'CANCEL', 'ABORT', 'REMOVE_DEVICES', 'ENABLE_VERBOSE_LOGGING', 'DISABLE_VERBOSE_LOGGING', 'FETCH_VERBOSE_LOGS', 'PAUSE', 'RESUME', 'NEXT_WAVE', 'APPROVE'] as const;

export type CommandType = (typeof commandTypes)[number];

/** A request's rollout fields, with the schema's defaults for those it lacks (a record written before them). */
export function rolloutOf(r: CampaignRequest): RolloutRequest {
  return { abortCriteria: r.abortCriteria ?? [], rate: r.rate ?? null, waves: r.waves ?? [], manualNextWave: r.manualNextWave ?? false, dynamic: r.dynamic ?? false };
}

/** campaign.commands (key: campaignId), schemas/campaign-command.avsc: what operators ask. */
export interface CampaignCommand {
  readonly commandId: string;
  readonly campaignId: string;
  readonly type: CommandType;
  readonly request: CampaignRequest | null;
  readonly deviceIds: readonly string[];
  readonly part: number;
  readonly parts: number;
  readonly deviceCount: number | null;
  readonly at: number;
  /**
   * R-SEC-2: who issues the command, checked against the campaign service's policy. Absent
   * (Avro default null) in commands written before it, and optional to producers.
   */
  readonly principal?: string | null;
}

/**
 * What cannot be a request at all is refused here (dead letter): over-long or control-laden
 * strings, non-finite numbers, instants before 2000, lists over their bound. Whether the
 * request's parameters make sense — an empty make, a package without an http(s) URL — is the
 * campaign's answer (R-REQ-5: RequestFailed, requestProblem in campaign-actor.ts).
 */
export function parseCampaignCommand(value: unknown, key: string, context: ParseContext): CampaignCommand {
  const c = value as CampaignCommand;
  const check = fieldsOf('campaign command');
  check.key('campaignId', c.campaignId, key);
  check.id('commandId', c.commandId);
  check.list('deviceIds', c.deviceIds, MAX_DEVICE_IDS, check.id);
  check.number('part', c.part, { integer: true });
  check.number('parts', c.parts, { integer: true });
  check.number('deviceCount', c.deviceCount, { integer: true, nullable: true });
  check.timestamp('at', c.at, context);
  if (c.principal !== undefined && c.principal !== null) check.string('principal', c.principal, stringRules.requiredName);
  if (c.request) checkRequest(check, c.request);
  if (c.type === 'SCHEDULE' && c.part === 0 && !c.request) throw new InvalidMessage('campaign command: SCHEDULE part 0 needs a request');
  return c;
}

function checkRequest(check: FieldChecks, r: CampaignRequest): void {
  const { name, text } = stringRules;
  check.string('request.make', r.make, name);
  check.string('request.model', r.model, name);
  check.list('request.fromVersions', r.fromVersions, MAX_LIST_NAMES, (field, v) => check.string(field, v, name));
  check.string('request.targetVersion', r.targetVersion, name);
  check.string('request.package.url', r.package.url, text);
  check.number('request.package.sizeBytes', r.package.sizeBytes);
  check.string('request.package.checksum', r.package.checksum, text);
  const s = r.schedule;
  if (s.startAt !== null) check.instant('request.schedule.startAt', s.startAt);
  if (s.endAt !== null) check.instant('request.schedule.endAt', s.endAt);
  for (const [field, w] of [['window', s.window], ['downloadWindow', s.downloadWindow], ['applyWindow', s.applyWindow]] as const) {
    if (w) checkWindow(check, `request.schedule.${field}`, w);
  }
  if (r.retry) {
    check.number('request.retry.attempts', r.retry.attempts);
    check.number('request.retry.intervalMinutes', r.retry.intervalMinutes);
  }
  const rollout = rolloutOf(r);
  check.list('request.abortCriteria', rollout.abortCriteria, MAX_LIST_NAMES, (field, item) => {
    const c = item as AbortCriterion;
    check.number(`${field}.thresholdPercent`, c.thresholdPercent);
    check.number(`${field}.minFinished`, c.minFinished, { integer: true });
  });
  if (rollout.rate) {
    check.number('request.rate.maxPerMinute', rollout.rate.maxPerMinute, { integer: true });
    const ramp = rollout.rate.ramp;
    if (ramp) for (const f of ['basePerMinute', 'factor', 'every'] as const) check.number(`request.rate.ramp.${f}`, ramp[f]);
  }
  check.list('request.waves', rollout.waves, MAX_LIST_NAMES, (field, item) => {
    const w = item as Wave;
    check.number(`${field}.percent`, w.percent, { nullable: true });
    check.number(`${field}.successThresholdPercent`, w.successThresholdPercent);
    check.list(`${field}.deviceIds`, w.deviceIds, MAX_DEVICE_IDS, check.id);
  });
  const listed = rollout.waves.reduce((n, w) => n + w.deviceIds.length, 0);
  // The lists stay in the campaign's state with its request: bounded like one part.
  if (listed > MAX_DEVICE_IDS) throw new InvalidMessage(`campaign command: request.waves name ${listed} devices, at most ${MAX_DEVICE_IDS} allowed`);
}

function checkWindow(check: FieldChecks, field: string, w: Window): void {
  const { name } = stringRules;
  check.string(`${field}.start`, w.start, name);
  check.string(`${field}.end`, w.end, name);
  check.string(`${field}.timeZone`, w.timeZone, name);
  check.list(`${field}.weekdays`, w.weekdays, MAX_LIST_NAMES, (f, v) => check.string(f, v, name));
}
