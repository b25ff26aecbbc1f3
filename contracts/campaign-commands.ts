import { InvalidMessage, type ParseContext } from '../services/runtime/actor.ts';
import type { RetryPolicy, Schedule, UpgradeTarget, Window } from './common.ts';
import { fieldsOf, stringRules, type FieldChecks } from './fields.ts';
import { MAX_DEVICE_IDS, MAX_LIST_NAMES } from './input-limits.ts';

/** schemas/campaign-command.avsc CampaignRequest (R-REQ-1). */
export interface CampaignRequest extends UpgradeTarget {
  readonly schedule: Schedule;
  readonly retry: RetryPolicy | null;
  readonly pilot: boolean;
}

export type CommandType = 'SCHEDULE' | 'CANCEL' | 'ABORT' | 'REMOVE_DEVICES' | 'ENABLE_VERBOSE_LOGGING' | 'DISABLE_VERBOSE_LOGGING' | 'FETCH_VERBOSE_LOGS';

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
}

function checkWindow(check: FieldChecks, field: string, w: Window): void {
  const { name } = stringRules;
  check.string(`${field}.start`, w.start, name);
  check.string(`${field}.end`, w.end, name);
  check.string(`${field}.timeZone`, w.timeZone, name);
  check.list(`${field}.weekdays`, w.weekdays, MAX_LIST_NAMES, (f, v) => check.string(f, v, name));
}
