import { DEFAULT_MAX_CLOCK_SKEW_MS, InvalidMessage, type ActorType, type ParseContext, type Wake } from '../../services/runtime/actor.ts';
import type { TopicCodec } from '../../services/runtime/codec.ts';
import { SharedValues, StateStore } from '../../services/runtime/state-store.ts';
import { decideBatch, type BatchItem } from '../../services/runtime/decide-batch.ts';
import { deadLetterOrRetry, type ErrorKind } from '../../services/runtime/errors.ts';
import type { ServiceDefinition } from '../../services/runtime/service.ts';
import type { TopicSpec } from '../../services/runtime/topics.ts';
import { WakeHeap } from '../../services/runtime/wake-heap.ts';
import { OPEN_POLICY, type CommandPolicy } from '../../services/campaign/command-policy.ts';
import { campaignService } from '../../services/campaign/service.ts';
import { cellService } from '../../services/cell/service.ts';
import { testTokenKeys } from './token-keys.ts';
import { deviceService } from '../../services/device/service.ts';
import { membersService } from '../../services/members/service.ts';
import { pilotService } from '../../services/pilot/service.ts';
import type { AnyProjection } from '../../services/projector/projection.ts';
import { projections as allProjections } from '../../services/projector/projections.ts';
import { verboseService } from '../../services/verbose/service.ts';
import { encodeOutput, sharedMemoryCodecs, sharedTopicSpecs } from './memory-codecs.ts';

/** A service of any state and input type: the driver runs them all alike. */
export type AnyService = ServiceDefinition<any, any>;

/** Every otaflow actor service, as their main.ts files run them (the cell with its default radio ranges, the campaign with `policy`). */
export const allServices = (policy: CommandPolicy = OPEN_POLICY): AnyService[] => [campaignService(policy), membersService, deviceService(testTokenKeys), cellService(), pilotService, verboseService];

export interface TopologyDriverOptions {
  /** Default: allServices(). */
  readonly services?: readonly AnyService[];
  /** Projections whose parsing (and dead letters) and folds run on their topics; default: all of the projector's. */
  readonly projections?: readonly AnyProjection[];
  /** The simulated clock's start (default 2026-06-10T00:00Z: parsers refuse instants before 2000). */
  readonly startAt?: number;
  readonly maxClockSkewMs?: number;
}

/** A record on a topic, its value as its consumers decode it. */
export interface TopicRecord<V = unknown> {
  readonly topic: string;
  readonly key: string | null;
  readonly value: V;
  readonly offset: number;
  /** Simulated time it was written. */
  readonly at: number;
  /** The service that produced it, or `input` for a piped one. */
  readonly producer: string;
}

/** A refused record as its dead-letter topic gets it: the original bytes and why. */
export interface DeadLetterRecord {
  /** The dead-letter topic's id (`<source>.dlq`). */
  readonly topic: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly reason: string;
  readonly kind: Exclude<ErrorKind, 'transient'>;
  /** `campaign`, `device`, …, or `projector` */
  readonly service: string;
  readonly source: { readonly topic: string; readonly offset: number };
}

/** A wake-up whose decision failed: the runtime logs and drops it until the actor's next input. */
export interface DroppedWakeUp {
  readonly service: string;
  readonly key: string;
  readonly at: number;
  readonly reason: string;
}

interface Stored {
  readonly topic: string;
  readonly key: string | null;
  readonly bytes: Buffer | null;
  readonly value: unknown;
  readonly offset: number;
  readonly at: number;
  readonly producer: string;
}

/** A record handed to a service: decoded and parsed inside its decision (see parsingActor). */
interface Delivery {
  readonly kind: 'record';
  readonly record: Stored;
}

interface Running {
  readonly def: AnyService;
  readonly actor: ActorType<unknown, Delivery>;
  readonly declared: ReadonlySet<string>;
  /** The changelog: record key → value (each key's state, its pieces, or a shared value), what a restart restores from. */
  readonly changelog: Map<string, string>;
  store: StateStore<unknown>;
  wakes: WakeHeap;
}

export const DRIVER_START = Date.UTC(2026, 5, 10);

/** Records plus wake-up batches one run until quiet may take before the driver calls it a loop. */
const MAX_STEPS = 1_000_000;

/**
 * The whole topology in one process with a simulated clock and no Kafka, like Kafka Streams'
 * TopologyTestDriver: the real service definitions (parsers, deciders, codecs) wired by topic id.
 * A piped record is encoded with its topic's codec (Avro with this build's .avsc), and each
 * consumer decodes and parses it with a ParseContext of the simulated clock, and decides it with
 * the runtime's decideBatch (record-size checks, rejections); what it refuses goes to the topic's
 * dead letters with its reason. Outputs flow on, first written first delivered, to every service
 * that consumes their topic, until nothing is left; then the wake-ups due are delivered, and so on.
 * Each service keeps one state store keyed by actor key, as the runtime does per task (partitions
 * make no difference in one process). Same inputs, same outputs: nothing reads the real clock.
 *
 * Unlike the runtime, every record is decided in a batch of its own, and an error the runtime
 * would retry (a transient one, or a defect under a `stop` recovery) is thrown to the test.
 */
export class TopologyDriver {
  readonly #specs: ReadonlyMap<string, TopicSpec>;
  readonly #codecs: ReadonlyMap<string, TopicCodec>;
  readonly #services: readonly Running[];
  readonly #projections: readonly AnyProjection[];
  readonly #folds = new Map<string, Map<string, unknown>>();
  readonly #maxSkewMs: number;
  readonly #logs = new Map<string, Stored[]>();
  readonly #read = new Map<string, number>();
  readonly #deadLetters: DeadLetterRecord[] = [];
  readonly #droppedWakeUps: DroppedWakeUp[] = [];
  /** Records written and not yet delivered, from `#head` on. */
  #pending: Stored[] = [];
  #head = 0;
  #now: number;

  constructor(options: TopologyDriverOptions = {}) {
    this.#specs = sharedTopicSpecs();
    this.#codecs = sharedMemoryCodecs();
    this.#now = options.startAt ?? DRIVER_START;
    this.#maxSkewMs = options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    this.#projections = options.projections ?? allProjections;
    for (const p of this.#projections) this.#folds.set(p.name, new Map());
    this.#services = (options.services ?? allServices()).map((def) => {
      for (const id of [...Object.keys(def.inputs), ...def.outputs]) this.#spec(id);
      for (const id of Object.keys(def.inputs)) {
        if (!this.#spec(id).deadLetter) throw new Error(`input topic ${id} of ${def.name} declares no deadLetter topic in topics/${id}.json`);
      }
      return { def, actor: parsingActor(def, this.#codecs, () => this.#context()), declared: new Set(def.outputs), changelog: new Map(), store: new StateStore(def.actor, new SharedValues()), wakes: new WakeHeap() };
    });
  }

  /** The simulated clock. */
  get now(): number {
    return this.#now;
  }

  /**
   * Produces a record, encoded as a producer with this build's schema would (a value the Avro
   * schema refuses throws here, as a registry serializer would), and runs until quiet.
   */
  pipeInput(topic: string, key: string, value: unknown): void {
    this.#spec(topic);
    const codec = this.#codecs.get(topic);
    if (!codec) throw new Error(`topic ${topic} carries raw bytes: use pipeRawInput`);
    this.pipeRawInput(topic, key, codec.encode(value));
  }

  /** Produces bytes as they are (a poison record, a tombstone) and runs until quiet. */
  pipeRawInput(topic: string, key: string | null, bytes: Buffer | null): void {
    this.#spec(topic);
    this.#append(topic, key, bytes, 'input');
    this.#runUntilQuiet();
  }

  /**
   * Moves the clock on by `ms`, stopping at each due wake-up on the way (the runtime fires one as
   * soon as the clock passes it), and runs until quiet at each stop.
   */
  advanceWallClockTime(ms: number): void {
    if (!(ms >= 0)) throw new Error(`the clock only moves forward, got ${ms} ms`);
    const target = this.#now + ms;
    for (let next = this.#nextWakeAt(); next !== undefined && next <= target; next = this.#nextWakeAt()) {
      this.#now = Math.max(this.#now, next);
      this.#runUntilQuiet();
    }
    this.#now = target;
    this.#runUntilQuiet();
  }

  /** When the earliest wake-up of any service is due, if one is set: where a test that answers between wake-ups stops the clock. */
  nextWakeAt(): number | undefined {
    return this.#nextWakeAt();
  }

  /** The next record produced to `topic` that this method has not returned yet, as a test output topic reads it. */
  readOutput<V = unknown>(topic: string): TopicRecord<V> | undefined {
    const produced = this.#log(topic);
    for (let i = this.#read.get(topic) ?? 0; i < produced.length; i++) {
      if (produced[i]!.producer === 'input') continue;
      this.#read.set(topic, i + 1);
      return view<V>(produced[i]!);
    }
    this.#read.set(topic, produced.length);
    return undefined;
  }

  /** Every record the services produced to `topic`, in order (piped records are not outputs). */
  outputs<V = unknown>(topic: string): TopicRecord<V>[] {
    return this.#log(topic)
      .filter((r) => r.producer !== 'input')
      .map((r) => view<V>(r));
  }

  /** Every record piped into `topic` (what producers outside the topology wrote), in order. */
  inputs<V = unknown>(topic: string): TopicRecord<V>[] {
    return this.#log(topic)
      .filter((r) => r.producer === 'input')
      .map((r) => view<V>(r));
  }

  /** The dead letters of one `.dlq` topic, or of all of them. */
  deadLetters(topic?: string): DeadLetterRecord[] {
    return this.#deadLetters.filter((d) => topic === undefined || d.topic === topic);
  }

  droppedWakeUps(): readonly DroppedWakeUp[] {
    return this.#droppedWakeUps;
  }

  /** A service's committed state of one actor key. */
  state<S>(service: string, key: string): S | undefined {
    return this.#service(service).store.get(key) as S | undefined;
  }

  /**
   * A projection's folded changes per row key: what one batch of every event so far would write
   * into its empty tables (the SQL write itself does not run).
   */
  folded<R>(projection: string): ReadonlyMap<string, R> {
    const rows = this.#folds.get(projection);
    if (!rows) throw new Error(`no projection named "${projection}" runs in this driver`);
    return rows as ReadonlyMap<string, R>;
  }

  /**
   * Restarts services (all, or the one named) as the runtime restores a task: states read back
   * from their changelog, wake-ups derived from those states alone (R-FLOW-5).
   */
  restart(service?: string): void {
    for (const s of this.#services) {
      if (service !== undefined && s.def.name !== service) continue;
      // A restarted process: its shared values too come back from the changelog alone.
      s.store = new StateStore(s.def.actor, new SharedValues());
      s.wakes = new WakeHeap();
      for (const [key, value] of s.changelog) s.store.restore(key, value);
      for (const [key, at] of s.store.restored()) s.wakes.set(key, at);
    }
  }

  #runUntilQuiet(): void {
    for (let steps = 0; ; steps++) {
      if (steps > MAX_STEPS) throw new Error(`the topology is not quiet after ${MAX_STEPS} records and wake-up batches at ${new Date(this.#now).toISOString()}: a loop between actors?`);
      const next = this.#pending[this.#head];
      if (next) {
        this.#head++;
        this.#deliver(next);
      } else {
        this.#pending = [];
        this.#head = 0;
        if (!this.#wakeDue()) return;
      }
    }
  }

  #deliver(record: Stored): void {
    for (const s of this.#services) {
      // A global table takes every record of its topic, as each instance's table reader does (services/runtime/global-table.ts).
      for (const table of s.def.tables ?? []) if (table.topic === record.topic) table.apply(record.key ?? '', this.#codecs.get(record.topic)!.decode(record.bytes), this.#context());
    }
    for (const s of this.#services) {
      if (!(record.topic in s.def.inputs)) continue;
      const items: BatchItem<Delivery>[] = [{ key: record.key ?? '', input: { kind: 'record', record } }];
      const decision = this.#decide(s, items);
      for (const r of decision.rejections) this.#deadLetter(record, s.def.name, r.reason, r.kind);
    }
    for (const p of this.#projections) if (p.topics.includes(record.topic)) this.#project(p, record);
  }

  /** Delivers every wake-up due now, service by service, earliest first; false when none was due. */
  #wakeDue(): boolean {
    let woke = false;
    for (const s of this.#services) {
      const due = s.wakes.takeDue(this.#now, Infinity);
      if (due.length === 0) continue;
      woke = true;
      const items = due.map((d): BatchItem<Delivery> => ({ key: d.key, input: { kind: 'wake', at: d.at } }));
      const decision = this.#decide(s, items);
      for (const r of decision.rejections) this.#droppedWakeUps.push({ service: s.def.name, key: due[r.index]!.key, at: due[r.index]!.at, reason: r.reason });
      // A cut batch leaves the rest due: they come in the next round.
      for (const d of due.slice(decision.processed)) s.wakes.set(d.key, d.at);
    }
    return woke;
  }

  /** One batch decided and committed as the runtime commits it: states, wake-ups, outputs. */
  #decide(s: Running, items: readonly BatchItem<Delivery>[]) {
    const decision = decideBatch(
      { actor: s.actor, stored: s.store.get, share: s.store.share, encode: (o) => encodeOutput(this.#codecs, o, s.declared), recovery: s.def.recovery ?? deadLetterOrRetry, service: s.def.name },
      items,
      this.#now,
    );
    const shares = s.store.takeShares();
    s.store.commit(decision, shares);
    for (const [key, state] of decision.staged) s.wakes.set(key, state === undefined ? undefined : s.def.actor.wakeAt(state));
    for (const [key, json] of [...shares, ...decision.serialised]) {
      if (json === null) s.changelog.delete(key);
      else s.changelog.set(key, json);
    }
    for (const [topic, m] of decision.outputs) this.#append(topic, m.key as string, m.value as Buffer, s.def.name);
    return decision;
  }

  /** The projector's side of a record: parsed (refused ones are dead letters, sink.ts) and folded. */
  #project(p: AnyProjection, record: Stored): void {
    let event: unknown;
    try {
      event = p.parse(record.topic, this.#codecs.get(record.topic)!.decode(record.bytes), record.key ?? '', this.#context());
    } catch (e) {
      this.#deadLetter(record, 'projector', `projector ${p.name}: ${(e as Error).message}`, 'invalid');
      return;
    }
    if (p.filter && !p.filter(event)) return;
    const rows = this.#folds.get(p.name)!;
    const key = p.keyOf(event);
    rows.set(key, p.fold(rows.get(key), event));
  }

  #append(topic: string, key: string | null, bytes: Buffer | null, producer: string): void {
    const log = this.#log(topic);
    const record: Stored = { topic, key, bytes, value: decodedOrRaw(this.#codecs.get(topic), bytes), offset: log.length, at: this.#now, producer };
    log.push(record);
    this.#pending.push(record);
  }

  #deadLetter(record: Stored, service: string, reason: string, kind: DeadLetterRecord['kind']): void {
    const topic = this.#spec(record.topic).deadLetter!;
    this.#deadLetters.push({ topic, key: record.key, value: record.bytes, reason, kind, service, source: { topic: record.topic, offset: record.offset } });
  }

  #nextWakeAt(): number | undefined {
    const due = this.#services.map((s) => s.wakes.nextAt()).filter((at) => at !== undefined);
    return due.length === 0 ? undefined : Math.min(...due);
  }

  #context(): ParseContext {
    return { now: this.#now, maxSkewMs: this.#maxSkewMs };
  }

  #log(topic: string): Stored[] {
    this.#spec(topic);
    return this.#logs.get(topic) ?? this.#logs.set(topic, []).get(topic)!;
  }

  #spec(topic: string): TopicSpec {
    const spec = this.#specs.get(topic);
    if (!spec) throw new Error(`unknown topic id "${topic}" (not in topics/)`);
    return spec;
  }

  #service(name: string): Running {
    const found = this.#services.find((s) => s.def.name === name);
    if (!found) throw new Error(`no service named "${name}" runs in this driver; it runs ${this.#services.map((s) => s.def.name).join(', ')}`);
    return found;
  }
}

/**
 * The service's actor with its input parsing inside `decide`, so that a record its parser
 * refuses is rejected by decideBatch like any input it cannot handle. The runtime parses before
 * the batch, with the same error kinds and, for an invalid record, the same reason.
 */
function parsingActor<S, In>(def: ServiceDefinition<S, In>, codecs: ReadonlyMap<string, TopicCodec>, context: () => ParseContext): ActorType<S, Delivery> {
  const { actor } = def;
  return {
    name: actor.name,
    initial: (key) => actor.initial(key),
    wakeAt: (state) => actor.wakeAt(state),
    ...(actor.pieces ? { pieces: actor.pieces } : {}),
    ...(actor.packed ? { packed: actor.packed } : {}),
    decide(state, input, now) {
      if (input.kind === 'wake') return actor.decide(state, input satisfies Wake, now);
      const { topic, key, bytes } = input.record;
      if (!key || key.startsWith('\u0000')) throw new InvalidMessage('the message has no key (the key must be the actor key)');
      return actor.decide(state, def.inputs[topic]!(codecs.get(topic)!.decode(bytes), key, context()), now);
    },
  };
}

function decodedOrRaw(codec: TopicCodec | undefined, bytes: Buffer | null): unknown {
  if (!codec) return bytes;
  try {
    return codec.decode(bytes);
  } catch {
    return bytes;
  }
}

const view = <V>(r: Stored): TopicRecord<V> => ({ topic: r.topic, key: r.key, value: r.value as V, offset: r.offset, at: r.at, producer: r.producer });
