import { randomUUID } from 'node:crypto';
import type { TopicCodec } from '../../services/runtime/codec.ts';
import { sendChunks } from '../../services/runtime/send-chunks.ts';
import type { KafkaClient, OutMessage, Producer } from '../../services/runtime/kafka/port.ts';
import type { TopicNames } from '../../services/runtime/topics.ts';
import { parseDeviceCommand, type DeviceCommand } from '../../contracts/device-commands.ts';
import { consumeThroughOutages } from '../lib/consume-through-outages.ts';
import { deleteGroup, startGroupAtEnd } from '../lib/kafka.ts';
import { answer, checkinAt, PackageHolders } from './answer.ts';
import type { SimDevice } from './fleet.ts';

export interface SimulatorDeps {
  readonly kafka: KafkaClient;
  readonly names: TopicNames;
  readonly codecs: ReadonlyMap<string, TopicCodec>;
  /** Virtual "now" for the reports' timestamps and offline periods. */
  readonly now: () => number;
  /** How often HTTP devices check in, in real ms (default 200). */
  readonly httpCheckinEveryMs?: number;
  /** Real ms a device takes to answer a command (default 0: instant). */
  readonly replyLatencyMs?: number;
}

/**
 * Plays a fleet of LwM2M, MQTT and HTTP devices through the topics only: it checks the
 * devices in (HTTP devices again and again, as they poll), answers each device command as
 * answer.ts says a device of that protocol would, and keeps its own record of how many LwM2M
 * devices of each cell hold a package at once (PackageHolders), apart from the cell actor's.
 */
export class FleetSimulator {
  readonly #deps: SimulatorDeps;
  readonly #devices: Map<string, SimDevice>;
  readonly #holders = new PackageHolders();
  readonly commandsSeen = new Map<string, number>();
  #stop: (() => Promise<void>) | undefined;

  constructor(devices: readonly SimDevice[], deps: SimulatorDeps) {
    this.#deps = deps;
    this.#devices = new Map(devices.map((d) => [d.deviceId, d]));
  }

  /** Per cell, the most devices that held a package at once, as the devices saw it. */
  get peakByCell(): ReadonlyMap<string, number> {
    return this.#holders.peakByCell;
  }

  async checkInAll(): Promise<void> {
    const producer = this.#deps.kafka.producer();
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
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 50 });
    await consumer.connect();
    await consumer.subscribe(topic, { fromBeginning: true });
    const commands = codecs.get('device-commands')!;
    // A device answers each command once: a batch that comes again after an outage is not answered twice.
    const stopConsuming = await consumeThroughOutages(
      consumer,
      async (batch) => {
        await commands.prepare(batch.messages.map((m) => m.value));
        const out = batch.messages.map((m) => this.#answer(parseDeviceCommand(commands.decode(m.value), m.key?.toString() ?? '')));
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

  async #send(producer: Producer, topicId: string, messages: OutMessage[]): Promise<void> {
    for (const chunk of sendChunks(messages)) await producer.send({ topic: this.#deps.names.name(topicId), messages: chunk });
  }

  #checkin(d: SimDevice): OutMessage {
    return { key: d.deviceId, value: this.#deps.codecs.get('device-checkins')!.encode(checkinAt(d, this.#deps.now())) };
  }

  #answer(c: DeviceCommand): { reports: OutMessage[]; checkins: OutMessage[] } {
    this.commandsSeen.set(c.kind, (this.commandsSeen.get(c.kind) ?? 0) + 1);
    const d = this.#devices.get(c.deviceId);
    if (!d) return { reports: [], checkins: [] };
    const a = answer(d, c, this.#deps.now());
    this.#devices.set(d.deviceId, a.device);
    this.#holders.note(d, a);
    const encode = (topicId: string, v: { deviceId: string }): OutMessage => ({ key: v.deviceId, value: this.#deps.codecs.get(topicId)!.encode(v) });
    return { reports: a.reports.map((r) => encode('device-status-reports', r)), checkins: a.checkins.map((ci) => encode('device-checkins', ci)) };
  }
}
