import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { GroupConsumer } from './kafka/port.ts';

/** What a running service shows through gauges read at scrape time. */
export interface GaugeSource {
  readonly service: string;
  /** Actors held in memory over every task. */
  actors(): number;
  /** Actors with a pending durable wake-up. */
  pendingWakeups(): number;
}

/**
 * The metrics every service shares, registered on the registry it is given: never on
 * prom-client's global one, so services run in one process side by side (tests) keep apart by
 * their `service` label on one registry, or by registry. Label values are bounded: services,
 * topics (prefixed names), partitions, projections and error kinds.
 */
export interface RuntimeMetrics {
  readonly consumerLag: Gauge<'service' | 'group' | 'topic' | 'partition'>;
  readonly recordsIn: Counter<'service' | 'topic'>;
  readonly recordsOut: Counter<'service' | 'topic'>;
  readonly batchRecords: Histogram<'service'>;
  readonly batchSeconds: Histogram<'service'>;
  readonly commitSeconds: Histogram<'service'>;
  readonly deadLetters: Counter<'service' | 'topic' | 'kind'>;
  readonly restoreSeconds: Histogram<'service'>;
  /** Adds a source of the actor and wake-up gauges; the returned function removes it (on stop). */
  addSource(source: GaugeSource): () => void;
  /** Keeps the consumer's lag per partition, from each batch the client reports (transaction markers included). */
  watchLag(consumer: GroupConsumer, labels: { service: string; group: string }): void;
}

export function createRuntimeMetrics(registry: Registry): RuntimeMetrics {
  const registers = [registry];
  const sources = new Set<GaugeSource>();
  const gaugeOf = (name: string, help: string, read: (s: GaugeSource) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['service'],
      registers,
      collect() {
        this.reset();
        for (const s of sources) this.inc({ service: s.service }, read(s));
      },
    });
  gaugeOf('otaflow_actors', 'Actors held in memory by the tasks of this process', (s) => s.actors());
  gaugeOf('otaflow_pending_wakeups', 'Actors with a pending durable wake-up', (s) => s.pendingWakeups());
  const consumerLag = new Gauge({ name: 'otaflow_consumer_lag', help: 'Records between the last batch a consumer group handled and the partition end', labelNames: ['service', 'group', 'topic', 'partition'], registers });
  return {
    consumerLag,
    recordsIn: new Counter({ name: 'otaflow_records_in_total', help: 'Input records committed, by topic', labelNames: ['service', 'topic'], registers }),
    recordsOut: new Counter({ name: 'otaflow_records_out_total', help: 'Records written in committed transactions (outputs, changelog, dead letters), by topic', labelNames: ['service', 'topic'], registers }),
    batchRecords: new Histogram({ name: 'otaflow_batch_records', help: 'Records per handled batch', labelNames: ['service'], buckets: [1, 5, 20, 100, 500, 1000, 5000], registers }),
    batchSeconds: new Histogram({ name: 'otaflow_batch_duration_seconds', help: 'Time to decide and commit one batch', labelNames: ['service'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    commitSeconds: new Histogram({ name: 'otaflow_transaction_commit_seconds', help: 'Time of one Kafka transaction (send, offsets, commit) or projection SQL transaction', labelNames: ['service'], buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers }),
    deadLetters: new Counter({ name: 'otaflow_dead_letters_total', help: 'Inputs written to a dead-letter topic, by source topic and error kind', labelNames: ['service', 'topic', 'kind'], registers }),
    restoreSeconds: new Histogram({ name: 'otaflow_restore_duration_seconds', help: 'Time to fence and restore newly assigned tasks from the changelog', labelNames: ['service'], buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers }),
    addSource(source) {
      sources.add(source);
      return () => sources.delete(source);
    },
    watchLag(consumer, labels) {
      consumer.on('batchEnd', ({ topic, partition, offsetLag }) => {
        consumerLag.set({ ...labels, topic, partition: String(partition) }, Math.max(0, Number(offsetLag)));
      });
    },
  };
}
