import type { RuntimeConfig } from '../config.ts';
import type { KafkaSecurity } from '../transport.ts';
import type { Logger } from '../logger.ts';
import { createKafkajsClient, kafkajsPartitionOf } from './kafkajs-driver.ts';
import { createPlatformaticClient } from './platformatic-driver.ts';
import type { KafkaClient } from './port.ts';

/**
 * The one place a Kafka client is made: the driver OTAFLOW_KAFKA_DRIVER names, with the brokers,
 * TLS and SASL of the config (R-SEC-3). `failFast` makes a probe: one attempt, short timeouts, no
 * log (tests asking whether a broker answers).
 */
export function createKafka(config: Pick<RuntimeConfig, 'kafkaDriver' | 'brokers'> & { readonly kafkaSecurity: Pick<KafkaSecurity, 'ssl' | 'sasl'> }, logger: Logger | undefined, clientId: string, options: { failFast?: boolean } = {}): KafkaClient {
  switch (config.kafkaDriver) {
    case 'kafkajs':
      return createKafkajsClient({ clientId, brokers: config.brokers, ssl: config.kafkaSecurity.ssl, sasl: config.kafkaSecurity.sasl, ...(logger && { logger }), ...options });
    case 'platformatic':
      return createPlatformaticClient({ clientId, brokers: config.brokers, ssl: config.kafkaSecurity.ssl, sasl: config.kafkaSecurity.sasl, ...(logger && { logger }), ...options });
  }
}

/**
 * The partition of a key among `partitions`: Java-compatible murmur2, the key contract of every
 * topic (topics.ts), which every driver's partitioner must keep.
 */
export const partitionOf: (key: string | Buffer, partitions: number) => number = kafkajsPartitionOf;
