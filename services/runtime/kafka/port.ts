import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../logger.ts';
import type { SaslOptions } from '../transport.ts';
/**
 * The Kafka client as otaflow uses it, and no more: the runtime, the projector, provisioning, the
 * scripts and the tests reach Kafka only through these types, and a driver implements them:
 * kafkajs-driver.ts or platformatic-driver.ts (@platformatic/kafka), as OTAFLOW_KAFKA_DRIVER says
 * (client.ts). What the shapes ask of a driver:
 * - consumption is by batch of one topic-partition, with the batch's end reported even when it
 *   held transaction markers only (`batchEnd`): the platformatic driver makes one batch per
 *   partition of each fetch of its own fetch loop, markers included in its end;
 * - a transaction's offsets name the consumer whose batch they commit, not only its group id, so a
 *   KIP-447 driver sends the group generation and member id along (the platformatic driver: those
 *   the batch was fetched under);
 * - pause and seek are per partition, as the projector and the restore need them: the platformatic
 *   driver leaves a paused partition out of its fetches and fetches a seeked one from its new offset;
 * - the co-partitioned assignment is asked for by name: each driver plugs the pure plan
 *   (co-partitioned-plan.ts) into its own assigner hook (kafkajs' PartitionAssigner,
 *   platformatic's `partitionAssigner`);
 * - reading partitions to their end outside any group is one call (`readToEnd`): kafkajs cannot
 *   assign partitions by hand and needs a throwaway group, @platformatic/kafka fetches without one.
 */
/** Header values as read; a header sent more than once reads as an array. */
export type Headers = Readonly<Record<string, Buffer | string | (Buffer | string)[] | undefined>>;

/** A record to send. Without a partition it goes to its key's (Java-compatible murmur2, partition.ts). */
export interface OutMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly partition?: number;
  readonly headers?: Headers;
}

/** A record as read (read_committed: records of aborted transactions never arrive). */
export interface InMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Offsets are decimal strings, as the brokers' int64 does not fit a number. */
  readonly offset: string;
  /** Milliseconds since the epoch, as a decimal string. */
  readonly timestamp: string;
  readonly headers?: Headers;
}

export interface TopicMessages {
  readonly topic: string;
  readonly messages: readonly OutMessage[];
}

/** One fetch of one topic-partition. */
export interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InMessage[];
  /** The offset this fetch started from. */
  readonly fetchedOffset: string;
  /** The last offset the fetch covered, a trailing transaction marker included. */
  readonly lastOffset: string;
}

export interface BatchContext {
  readonly batch: Batch;
  /** Marks the batch handled up to `offset` (inclusive): with autoCommit its next offset is committed. */
  resolveOffset(offset: string): void;
  /** Tells the group this member is alive; a long batch beats while it waits. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping. */
  isRunning(): boolean;
  /** True once a seek or a rebalance made the batch's partition read from elsewhere. */
  isStale(): boolean;
}

/** A fetch as settled, reported also for batches of transaction markers only, which reach no handler. */
export interface BatchEnd {
  readonly topic: string;
  readonly partition: number;
  /** Records handed to the handler (0 for markers only). */
  readonly size: number;
  readonly firstOffset: string;
  readonly lastOffset: string;
  /** Records between the batch's end and the partition's end. */
  readonly offsetLag: string;
}

export interface ConsumerEvents {
  /** The member joined its group; `assignment` is topic → partitions. */
  join: (payload: { readonly assignment: Readonly<Record<string, readonly number[]>> }) => void;
  heartbeat: () => void;
  /** The consumer stopped on an error; with `restart` the driver starts it again by itself. */
  crash: (payload: { readonly error: Error; readonly restart: boolean }) => void;
  /** The consumer stopped or disconnected. */
  stop: () => void;
  batchEnd: (payload: BatchEnd) => void;
}

export interface ConsumerOptions {
  readonly groupId: string;
  /** Partition p of every subscribed topic to one member (co-partitioned-plan.ts); default the driver's. */
  readonly coPartitioned?: boolean;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** How long a fetch waits for records. */
  readonly maxWaitTimeMs?: number;
}

export interface RunOptions {
  /** Commit resolved offsets (default true); off when offsets go in a transaction or nowhere. */
  readonly autoCommit?: boolean;
  /** Resolve a batch's last offset once its handler returns (default true). */
  readonly autoResolve?: boolean;
  /** How many partitions' batches are handled at once (default 1). */
  readonly partitionsConsumedConcurrently?: number;
  readonly eachBatch: (context: BatchContext) => Promise<void>;
}

/** A member of a consumer group; reads read_committed. */
export interface GroupConsumer {
  readonly groupId: string;
  connect(): Promise<void>;
  subscribe(topic: string, options?: { fromBeginning?: boolean }): Promise<void>;
  /** Starts consuming; returns once running. */
  run(options: RunOptions): Promise<void>;
  pause(topic: string, partitions: readonly number[]): void;
  /** The partition is read from `offset` on with its next fetch. */
  seek(topic: string, partition: number, offset: string): void;
  on<E extends keyof ConsumerEvents>(event: E, listener: ConsumerEvents[E]): void;
  /** Leaves the group once the batches in hand are handled. */
  disconnect(): Promise<void>;
}

export interface SentOffset {
  readonly topic: string;
  readonly partition: number;
  readonly baseOffset: bigint;
}

/** An idempotent or plain producer; records without a partition go to their key's. */
export interface Producer {
  connect(): Promise<void>;
  send(records: TopicMessages): Promise<void>;
  /** Several topics in one request; where each partition's first record landed. */
  sendBatch(records: readonly TopicMessages[]): Promise<SentOffset[]>;
  disconnect(): Promise<void>;
}

export interface Transaction {
  send(records: TopicMessages): Promise<void>;
  /** Commits the consumer's next offsets with the transaction (the consumer's group, and for KIP-447 its generation). */
  sendOffsets(consumer: GroupConsumer, offsets: readonly { topic: string; partition: number; offset: string }[]): Promise<void>;
}

/** One transactional id: a newer producer of the same id fences this one. */
export interface TransactionalProducer {
  /** Connects and fences the previous producers of its id, aborting any transaction they left open. */
  fence(): Promise<void>;
  /** Runs `work` in a transaction and commits it; anything thrown aborts it and is rethrown. */
  inTransaction(work: (tx: Transaction) => Promise<void>): Promise<void>;
  disconnect(): Promise<void>;
}

export interface PartitionOffsets {
  readonly partition: number;
  /** The first offset held (retention moves it). */
  readonly low: bigint;
  /** The high watermark: the next offset to be written. */
  readonly high: bigint;
}

export interface NewTopic {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configs: Readonly<Record<string, string>>;
}

export interface GroupDescription {
  readonly groupId: string;
  /** Each member with its assignment, topic → partitions. */
  readonly members: readonly { readonly memberId: string; readonly assignment: Readonly<Record<string, readonly number[]>> }[];
}

export interface Admin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  clusterId(): Promise<string>;
  listTopics(): Promise<string[]>;
  /** Creates the topics with the cluster's replication factor, not waiting for their leaders. */
  createTopics(topics: readonly NewTopic[]): Promise<void>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Topic → partition count. */
  partitionCounts(topics: readonly string[]): Promise<Map<string, number>>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition the offset of the first record at or after `timestamp` (the end when none). */
  topicOffsetsAt(topic: string, timestamp: number): Promise<{ partition: number; offset: bigint }[]>;
  /** Topic → config name → value, for the names asked. */
  topicConfigs(topics: readonly { topic: string; names: readonly string[] }[]): Promise<Map<string, Map<string, string>>>;
  /** Sets each topic's configs to these (the legacy AlterConfigs: overrides not listed are dropped). */
  replaceTopicConfigs(topics: readonly { topic: string; configs: Readonly<Record<string, string>> }[]): Promise<void>;
  /** The group's committed offsets (-1 where none), of the topics or of every topic it committed. */
  groupOffsets(groupId: string, topics?: readonly string[]): Promise<{ topic: string; partition: number; offset: bigint }[]>;
  setGroupOffsets(groupId: string, topic: string, offsets: readonly { partition: number; offset: bigint }[]): Promise<void>;
  listGroups(): Promise<string[]>;
  describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]>;
  deleteGroups(groupIds: readonly string[]): Promise<void>;
}

export interface ReadToEndOptions {
  /** Names the throwaway group of a driver that reads through one (with a uuid); the ACLs grant READ under it (services/ops/acls.ts). */
  readonly groupPrefix: string;
  /** The partitions to read (default all). */
  readonly partitions?: readonly number[];
  /** Keep reading past the end, until stopped (a followed table); else stop there (a restore). */
  readonly follow?: boolean;
  /** Called when the reader crashed for good while it followed. */
  readonly failed?: (e: Error) => void;
  readonly timeoutMs?: number;
  readonly eachBatch: (batch: Batch) => Promise<void> | void;
}

export interface TopicReader {
  stop(): Promise<void>;
}

/** What every driver is made with (client.ts): the brokers, TLS and SASL of the config (R-SEC-3). */
export interface DriverOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly ssl: ConnectionOptions | true | undefined;
  readonly sasl: SaslOptions | undefined;
  /** Where the driver's warnings and errors go; none: silent. */
  readonly logger?: Logger;
  /** One attempt with short timeouts (probes of whether a broker answers), instead of retrying forever. */
  readonly failFast?: boolean;
}

export interface KafkaClient {
  admin(): Admin;
  consumer(options: ConsumerOptions): GroupConsumer;
  producer(options?: { idempotent?: boolean }): Producer;
  transactionalProducer(options: { transactionalId: string; transactionTimeoutMs: number }): TransactionalProducer;
  /**
   * Reads the partitions of a topic from the beginning, outside any consumer group, and returns once
   * every partition reached the high watermark it had at the call (rejects after `timeoutMs`,
   * default 120 s). Without `follow` the reader has stopped by then.
   */
  readToEnd(topic: string, options: ReadToEndOptions): Promise<TopicReader>;
  /** True for the error a producer gets once a newer producer of its transactional id fenced it. */
  isFenced(e: unknown): boolean;
}
