import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka, type Message } from 'kafkajs';
import type { TopicCodec } from '../../services/runtime/codec.ts';
import { sendChunks } from '../../services/runtime/send-chunks.ts';
import type { TopicNames } from '../../services/runtime/topics.ts';
import type { SimDevice } from './fleet.ts';

interface Command {
  readonly commandId: string;
  readonly deviceId: string;
  readonly campaignId: string;
  readonly kind: string;
  readonly targetVersion: string;
}

export interface SimulatorDeps {
  readonly kafka: Kafka;
  readonly names: TopicNames;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  /** Virtual "now" for the reports' timestamps. */
  readonly now: () => number;
}

/**
 * Plays a fleet of LwM2M devices through the topics only: it checks the devices in,
 * answers each device command with the status report a device would send, and keeps
 * its own record of how many devices of each cell hold a package at once (from package
 * delivery to the reported result), independent of the cell actor's bookkeeping.
 */
export class FleetSimulator {
  readonly #deps: SimulatorDeps;
  readonly #devices: Map<string, SimDevice & { firmwareVersion: string }>;
  readonly #holding = new Map<string, Set<string>>();
  readonly peakByCell = new Map<string, number>();
  readonly commandsSeen = new Map<string, number>();
  #stop: (() => Promise<void>) | undefined;

  constructor(devices: readonly SimDevice[], deps: SimulatorDeps) {
    this.#deps = deps;
    this.#devices = new Map(devices.map((d) => [d.deviceId, { ...d }]));
  }

  async checkInAll(): Promise<void> {
    const { kafka, names, codecs, now } = this.#deps;
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const codec = codecs.get('device-checkins')!;
      const messages = [...this.#devices.values()].map((d) => ({
        key: d.deviceId,
        value: codec.encode({
          deviceId: d.deviceId,
          imei: d.imei,
          make: d.make,
          model: d.model,
          protocol: d.protocol,
          firmwareVersion: d.firmwareVersion,
          softwareVersion: '1.0',
          clientType: 'LWM2M_CLIENT',
          fotaCapable: true,
          connected: true,
          radio: { cellId: d.cellId, rsrp: d.rsrp, sinr: d.sinr },
          at: now(),
        }),
      }));
      for (const chunk of sendChunks(messages)) await producer.send({ topic: names.name('device-checkins'), messages: chunk });
    } finally {
      await producer.disconnect();
    }
  }

  /** Starts answering commands produced from now on. */
  async start(): Promise<void> {
    const { kafka, names, codecs } = this.#deps;
    const topic = names.name('device-commands');
    const admin = kafka.admin();
    await admin.connect();
    const startAt = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
    await producer.connect();
    const groupId = `${names.prefix}otaflow.fleet-simulator.${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const commands = codecs.get('device-commands')!;
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const from = startAt.get(batch.partition) ?? 0n;
        const fresh = batch.messages.filter((m) => BigInt(m.offset) >= from);
        await commands.prepare(fresh.map((m) => m.value));
        const replies = fresh.flatMap((m) => this.#answer(commands.decode(m.value) as Command));
        for (const chunk of sendChunks(replies)) await producer.send({ topic: names.name('device-status-reports'), messages: chunk });
      },
    });
    this.#stop = async () => {
      await consumer.disconnect();
      await producer.disconnect();
    };
  }

  async stop(): Promise<void> {
    await this.#stop?.();
  }

  #answer(c: Command): Message[] {
    this.commandsSeen.set(c.kind, (this.commandsSeen.get(c.kind) ?? 0) + 1);
    const d = this.#devices.get(c.deviceId);
    if (!d) return [];
    const report = (kind: string, extra: Record<string, unknown> = {}): Message => ({
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
    });
    switch (c.kind) {
      case 'QUERY_VERSION':
        return [report('FIRMWARE_VERSION', { firmwareVersion: d.firmwareVersion, softwareVersion: '1.0' })];
      case 'QUERY_RADIO':
        return [report('RADIO', { radio: { cellId: d.cellId, rsrp: d.rsrp, sinr: d.sinr } })];
      case 'DELIVER_PACKAGE': {
        const holders = this.#holding.get(d.cellId) ?? this.#holding.set(d.cellId, new Set()).get(d.cellId)!;
        holders.add(d.deviceId);
        this.peakByCell.set(d.cellId, Math.max(this.peakByCell.get(d.cellId) ?? 0, holders.size));
        return [report('DOWNLOADED')];
      }
      case 'UPGRADE': {
        this.#holding.get(d.cellId)?.delete(d.deviceId);
        if (d.resultCode === 1) d.firmwareVersion = c.targetVersion;
        return [report('UPDATE_RESULT', { resultCode: d.resultCode })];
      }
      default:
        return [];
    }
  }
}
