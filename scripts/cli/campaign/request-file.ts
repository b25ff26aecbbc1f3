import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { parse as parseYaml } from 'yaml';
import { parseCampaignCommand, type CampaignCommand, type CampaignRequest, type CommandType } from '../../../contracts/campaign-commands.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../../../services/runtime/actor.ts';
import { readSchemaFile } from '../../../services/runtime/codec.ts';
import { loadTopicSpecs } from '../../../services/runtime/topics.ts';
import { requestProblem } from '../../../services/campaign/campaign-actor.ts';
import { scheduleProblem } from '../../../services/campaign/schedule.ts';
import { scheduleParts } from '../../lib/schedule-parts.ts';

/** A campaign request file (examples/): the campaign's id, its request and the devices it names. */
export interface CampaignFile {
  readonly campaignId: string;
  readonly request: CampaignRequest;
  readonly deviceIds: readonly string[];
}

/** A command that would not be taken: the services would refuse it, so it is never sent. */
export class LocalRefusal extends Error {
  override readonly name = 'LocalRefusal';
}

/** JSON is YAML, so one parser reads both kinds of file. */
export function readDocument(path: string): unknown {
  try {
    return parseYaml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new LocalRefusal(`${path}: ${(e as Error).message}`);
  }
}

/**
 * The request of a file as schemas/campaign-command.avsc has it. An operator may leave out
 * what has a natural default (no windows, no retry policy, not a pilot) and write instants as
 * ISO-8601 text; everything else is checked by the services' own validators (commandsOf).
 */
export function campaignFileOf(doc: unknown, source: string): CampaignFile {
  const d = (doc ?? {}) as { campaignId?: unknown; request?: Record<string, unknown>; deviceIds?: unknown };
  if (typeof d.campaignId !== 'string') throw new LocalRefusal(`${source}: "campaignId" must be a string`);
  if (typeof d.request !== 'object' || d.request === null) throw new LocalRefusal(`${source}: "request" must be an object`);
  const schedule = (d.request.schedule ?? {}) as Record<string, unknown>;
  const request = {
    retry: null,
    pilot: false,
    ...d.request,
    schedule: { kind: 'ON_DEMAND', window: null, downloadWindow: null, applyWindow: null, ...schedule, startAt: instantOf(schedule.startAt, source), endAt: instantOf(schedule.endAt, source) },
  } as unknown as CampaignRequest;
  return { campaignId: d.campaignId, request, deviceIds: deviceListOf(d.deviceIds, `${source}: "deviceIds"`) };
}

function instantOf(value: unknown, source: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return value;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new LocalRefusal(`${source}: schedule instant ${JSON.stringify(value)} is neither epoch millis nor an ISO-8601 date`);
  return ms;
}

function deviceListOf(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string')) throw new LocalRefusal(`${what} must be a list of device ids`);
  return value as string[];
}

/** Device ids from a file: a JSON or YAML list (or an object with "deviceIds"), or plain text, one id per line. */
export function readDeviceList(path: string): string[] {
  if (/\.(json|ya?ml)$/i.test(path)) {
    const doc = readDocument(path) as { deviceIds?: unknown } | unknown[];
    return deviceListOf(Array.isArray(doc) ? doc : doc?.deviceIds, `${path}: the device list`);
  }
  return readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** One command that names a campaign and, for some types, devices. */
export function commandOf(type: Exclude<CommandType, 'SCHEDULE'>, campaignId: string, deviceIds: readonly string[], at: number, principal: string): CampaignCommand {
  return { commandId: randomUUID(), campaignId, type, request: null, deviceIds, part: 0, parts: 1, deviceCount: null, at, principal };
}

/** The SCHEDULE parts of a request file, refused here when the services would refuse them. */
export function scheduleCommandsOf(file: CampaignFile, at: number, principal: string): CampaignCommand[] {
  const commands = scheduleParts(file.campaignId, file.request, file.deviceIds, at).map((c) => ({ ...c, principal }));
  checkCommands(commands, at);
  const problem = requestProblem(file.request, commands[0]!) ?? scheduleProblem(file.request.api, file.request.schedule, at);
  if (problem) throw new LocalRefusal(`the campaign service would fail this request (RequestFailed): ${problem}`);
  return commands;
}

let commandType: avro.Type | undefined;

function campaignCommandType(): avro.Type {
  const value = loadTopicSpecs().get('campaign-commands')!.value;
  if (value.format !== 'avro') throw new Error('topics/campaign-commands.json: campaign commands are Avro');
  return avro.Type.forSchema(readSchemaFile(value.schema));
}

/** What the services' reader schema and parser would refuse (a dead letter) is refused before sending. */
export function checkCommands(commands: readonly CampaignCommand[], now: number): void {
  commandType ??= campaignCommandType();
  for (const c of commands) {
    const wrong: string[] = [];
    commandType.isValid(c, { errorHook: (path, value) => wrong.push(`${path.join('.')} (${JSON.stringify(value) ?? 'missing'})`) });
    if (wrong.length > 0) throw new LocalRefusal(`not a campaign command of schemas/campaign-command.avsc: ${wrong.join(', ')}`);
    try {
      parseCampaignCommand(c, c.campaignId, { now, maxSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS });
    } catch (e) {
      throw new LocalRefusal((e as Error).message);
    }
  }
}
