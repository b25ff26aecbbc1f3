import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import type { TopicCodec } from '../../services/runtime/codec.ts';
import { sendChunks } from '../../services/runtime/send-chunks.ts';
import type { TopicNames } from '../../services/runtime/topics.ts';
import { httpProgress } from '../../services/device/http-flow.ts';
import { consumeThroughOutages } from '../lib/consume-through-outages.ts';
import { deleteGroup, startGroupAtEnd } from '../lib/kafka.ts';
import { answers, checkinOf, type SimDevice } from './fleet.ts';

interface Command {
  readonly commandId: string;
  readonly deviceId: string;
  readonly campaignId: string;
  readonly attempt: number;
  readonly kind: string;
  readonly targetVersion: string;
}

export interface SimulatorDeps {
  readonly kafka: Kafka;
  readonly names: TopicNames;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  /** Virtual "now" for the reports' timestamps and offline periods. */
  readonly now: () => number;
  /** How often HTTP devices check in, in real ms (default 200). */
  readonly httpCheckinEveryMs?: number;
  /** Real ms a device takes to answer a command (default 0: instant). */
  readonly replyLatencyMs?: number;
}

type Live = SimDevice & { firmwareVersion: string };

/**
 * Plays a fleet of LwM2M, MQTT and HTTP devices through the topics only: it checks the
 * devices in (HTTP devices again and again, as they poll), answers each device command
 * with the report a device of that protocol would send (QUERY_CELL_ID with a CELL_ID report
 * carrying only the cell id), and keeps its own record of how many LwM2M devices of each
 * cell hold a package at once (from package delivery to the upgrade), independent of the
 * cell actor's bookkeeping.
 */
export class FleetSimulator {
  readonly #deps: SimulatorDeps;
  readonly #devices: Map<string, Live>;
  readonly #holding = new Map<string, Set<string>>();
  readonly peakByCell = new Map<string, number>();
  readonly commandsSeen = new Map<string, number>();
  #stop: (() => Promise<void>) | undefined;

  constructor(devices: readonly SimDevice[], deps: SimulatorDeps) {
    this.#deps = deps;
    this.#devices = new Map(devices.map((d) => [d.deviceId, { ...d }]));
  }

  async checkInAll(): Promise<void> {
    const producer = this.#deps.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await this.#send(producer, 'device-checkins', [...this.#devices.values()].map((d) => this.#checkin(d)));
    } finally {
      await producer.disconnect();
    }
  }

  /** Starts answering commands produced from now on. */
  async start(): Promise<void> {
    const { kafka, names, codecs } = this.#deps;
    const topic = names.name('device-commands');
    const groupId = `${names.prefix}otaflow.fleet-simulator.${randomUUID()}`;
    await startGroupAtEnd(kafka, groupId, topic);
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const commands = codecs.get('device-commands')!;
    // A device answers each command once: a batch that comes again after an outage is not answered twice.
    const stopConsuming = await consumeThroughOutages(
      consumer,
      async (batch) => {
        await commands.prepare(batch.messages.map((m) => m.value));
        const out = batch.messages.map((m) => this.#answer(commands.decode(m.value) as Command));
        if (this.#deps.replyLatencyMs) await new Promise((r) => setTimeout(r, this.#deps.replyLatencyMs));
        await this.#send(producer, 'device-status-reports', out.flatMap((o) => o.reports));
        await this.#send(producer, 'device-checkins', out.flatMap((o) => o.checkins));
      },
      { partitionsConsumedConcurrently: 6 },
    );
    const http = [...this.#devices.values()].filter((d) => d.protocol === 'HTTP');
    const poll = http.length === 0 ? undefined : setInterval(() => void this.#send(producer, 'device-checkins', http.map((d) => this.#checkin(d))).catch(() => undefined), this.#deps.httpCheckinEveryMs ?? 200);
    this.#stop = async () => {
      clearInterval(poll);
      await stopConsuming();
      await producer.disconnect();
      await deleteGroup(kafka, groupId);
    };
  }

  async stop(): Promise<void> {
    await this.#stop?.();
  }

  async #send(producer: Producer, topicId: string, messages: Message[]): Promise<void> {
    for (const chunk of sendChunks(messages)) await producer.send({ topic: this.#deps.names.name(topicId), messages: chunk });
  }

  #online(d: Live): boolean {
    return (d.offlineUntil ?? 0) <= this.#deps.now();
  }

  #checkin(d: Live): Message {
    return {
      key: d.deviceId,
      value: this.#deps.codecs.get('device-checkins')!.encode(checkinOf(d, this.#deps.now(), this.#online(d))),
    };
  }

  #answer(c: Command): { reports: Message[]; checkins: Message[] } {
    this.commandsSeen.set(c.kind, (this.commandsSeen.get(c.kind) ?? 0) + 1);
    const none = { reports: [], checkins: [] };
    const d = this.#devices.get(c.deviceId);
    if (!d || !this.#online(d) || !answers(d, c.kind)) return none;
    const report = (kind: string, extra: Record<string, unknown> = {}): { reports: Message[]; checkins: Message[] } => ({
      checkins: [],
      reports: [
        {
          key: d.deviceId,
          value: this.#deps.codecs.get('device-status-reports')!.encode({
            deviceId: d.deviceId,
            campaignId: c.campaignId,
            kind,
            firmwareVersion: null,
            softwareVersion: null,
            radio: null,
            bytesDownloaded: null,
            resultCode: null,
            clientStatus: null,
            at: this.#deps.now(),
            ...extra,
          }),
        },
      ],
    });
    const failsThisAttempt = c.attempt <= (d.failFirstAttempts ?? 0);
    switch (c.kind) {
      case 'PUSH':
        return { reports: [], checkins: [this.#checkin(d)] };
      case 'QUERY_VERSION':
        return report('FIRMWARE_VERSION', { firmwareVersion: d.firmwareVersion, softwareVersion: d.firmwareVersion });
      case 'QUERY_RADIO':
        return report('RADIO', { radio: { cellId: d.cellId, rsrp: d.rsrp, sinr: d.sinr } });
      case 'QUERY_CELL_ID':
        return report('CELL_ID', { radio: { cellId: d.cellId, rsrp: null, sinr: null } });
      case 'DELIVER_PACKAGE':
        if (d.protocol === 'HTTP') return report('CLIENT_STATUS', { clientStatus: httpProgress.downloaded });
        if (d.protocol === 'MQTT') return this.#upgrade(d, c, failsThisAttempt, report);
        this.#hold(d);
        return report('DOWNLOADED');
      case 'UPGRADE':
        this.#holding.get(d.cellId)?.delete(d.deviceId);
        if (d.protocol === 'HTTP') {
          if (d.clientFailure) return report('CLIENT_STATUS', { clientStatus: d.clientFailure });
          d.firmwareVersion = c.targetVersion;
          return report('CLIENT_STATUS', { clientStatus: httpProgress.installed });
        }
        return this.#upgrade(d, c, failsThisAttempt, report);
      default:
        return none;
    }
  }

  #upgrade(d: Live, c: Command, failsThisAttempt: boolean, report: (kind: string, extra?: Record<string, unknown>) => { reports: Message[]; checkins: Message[] }) {
    if (failsThisAttempt) return report('UPDATE_RESULT', { resultCode: 4 });
    if (d.resultCode === 1) d.firmwareVersion = c.targetVersion;
    return report('UPDATE_RESULT', { resultCode: d.resultCode, firmwareVersion: d.firmwareVersion, softwareVersion: d.firmwareVersion });
  }

  #hold(d: Live): void {
    const holders = this.#holding.get(d.cellId) ?? this.#holding.set(d.cellId, new Set()).get(d.cellId)!;
    holders.add(d.deviceId);
    this.peakByCell.set(d.cellId, Math.max(this.peakByCell.get(d.cellId) ?? 0, holders.size));
  }
}
