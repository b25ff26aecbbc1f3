import type { InputParser, ParseContext } from '../services/runtime/actor.ts';
import { parseCampaignCommand, type CampaignCommand } from './campaign-commands.ts';
import { parseDeviceDecision, type DeviceDecision } from './campaign-device-decisions.ts';
import { parseDeviceResult, type DeviceResult } from './campaign-device-results.ts';
import { parseCampaignEvent, type CampaignEvent } from './campaign-events.ts';
import { parsePartMessage, type PartMessage } from './campaign-parts.ts';
import { parseCellEvent, type CellEvent } from './cell-events.ts';
import { parseCellGrant, type CellGrant } from './cell-grants.ts';
import { parseCellRequest, type CellRequest } from './cell-requests.ts';
import { parseDeviceCampaignMessage, type DeviceCampaignMessage } from './device-campaign.ts';
import { parseCheckin, type Checkin } from './device-checkins.ts';
import { parseDeviceCommand, type DeviceCommand } from './device-commands.ts';
import { parseDynamicCampaign, type DynamicCampaignRecord } from './dynamic-campaigns.ts';
import { parseStatusReport, type StatusReport } from './device-status-reports.ts';
import { parsePilotAnswer, type PilotAnswer } from './pilot-answers.ts';
import { parsePilotEvent, type PilotEvent } from './pilot-events.ts';
import { parsePilotRequest, type PilotRequest } from './pilot-requests.ts';
import { parseVerboseEvent, type VerboseEvent } from './verbose-events.ts';
import { parseVerboseRequest, type VerboseRequest } from './verbose-requests.ts';

/**
 * Every topic otaflow's services write or read, by its logical id (topics/<id>.json), and the
 * payload its values decode to. Changelogs and dead-letter topics carry the runtime's own
 * records, not contracts. A test keeps these ids equal to topics/ and the services' declarations.
 */
export interface TopicPayloads {
  'campaign-commands': CampaignCommand;
  'campaign-events': CampaignEvent;
  'campaign-parts': PartMessage;
  'campaign-device-decisions': DeviceDecision;
  'campaign-device-results': DeviceResult;
  'cell-requests': CellRequest;
  'cell-grants': CellGrant;
  'cell-events': CellEvent;
  'device-checkins': Checkin;
  'device-status-reports': StatusReport;
  'device-campaign': DeviceCampaignMessage;
  'device-commands': DeviceCommand;
  'dynamic-campaigns': DynamicCampaignRecord;
  'pilot-requests': PilotRequest;
  'pilot-answers': PilotAnswer;
  'pilot-events': PilotEvent;
  'verbose-requests': VerboseRequest;
  'verbose-events': VerboseEvent;
}

export type TopicId = keyof TopicPayloads;

/** A record for one of the topics T, its value typed by its topic: a wrong field or topic fails tsc. */
export type Publish<T extends TopicId = TopicId> = { [K in T]: { readonly topic: K; readonly key: string; readonly value: TopicPayloads[K] } }[T];

/** Checks a decoded value (and its key) from outside the reader and returns it typed; throws InvalidMessage naming what is wrong. */
export type PayloadParser<V> = (value: unknown, key: string, context: ParseContext) => V;

export const parsers: { readonly [T in TopicId]: PayloadParser<TopicPayloads[T]> } = {
  'campaign-commands': parseCampaignCommand,
  'campaign-events': parseCampaignEvent,
  'campaign-parts': parsePartMessage,
  'campaign-device-decisions': parseDeviceDecision,
  'campaign-device-results': parseDeviceResult,
  'cell-requests': parseCellRequest,
  'cell-grants': parseCellGrant,
  'cell-events': parseCellEvent,
  'device-checkins': parseCheckin,
  'device-status-reports': parseStatusReport,
  'device-campaign': parseDeviceCampaignMessage,
  'device-commands': parseDeviceCommand,
  'dynamic-campaigns': parseDynamicCampaign,
  'pilot-requests': parsePilotRequest,
  'pilot-answers': parsePilotAnswer,
  'pilot-events': parsePilotEvent,
  'verbose-requests': parseVerboseRequest,
  'verbose-events': parseVerboseEvent,
};

export const isTopicId = (id: string): id is TopicId => Object.hasOwn(parsers, id);

/** Parses a value of `topic` with its contract. */
export function parse<T extends TopicId>(topic: T, value: unknown, key: string, context: ParseContext): TopicPayloads[T] {
  return parsers[topic](value, key, context);
}

/** How an actor takes each of its input topics' payloads. */
export type Inputs<In> = { readonly [T in TopicId]?: (payload: TopicPayloads[T]) => In };

/** The runtime's parsers of a service's inputs: each topic's contract, then the actor's own input. */
export function inputParsers<In>(inputs: Inputs<In>): Readonly<Record<string, InputParser<In>>> {
  const entries = Object.entries(inputs) as [TopicId, (payload: unknown) => In][];
  return Object.fromEntries(entries.map(([topic, wrap]) => [topic, (value: unknown, key: string, context: ParseContext) => wrap(parse(topic, value, key, context))]));
}
