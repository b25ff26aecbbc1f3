import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kafkajsPartitionOf } from './kafkajs-driver.ts';
import { platformaticPartitionOf } from './platformatic-driver.ts';

describe('key partitioning of the Kafka drivers', () => {
  it('puts every key on the same partition with either driver (Java-compatible murmur2, the key contract of topics.ts)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ minLength: 1 }), fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a))), fc.integer({ min: 1, max: 1_000 }), (key, partitions) => {
        expect(platformaticPartitionOf(key, partitions)).toBe(kafkajsPartitionOf(key, partitions));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives the device keys of a fleet the partitions kafkajs gives them', () => {
    for (let i = 0; i < 500; i++) expect(platformaticPartitionOf(`device-${i}`, 24)).toBe(kafkajsPartitionOf(`device-${i}`, 24));
  });
});
