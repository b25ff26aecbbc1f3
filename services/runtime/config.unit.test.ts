import { describe, expect, it } from 'vitest';
import { acceleratedClock, acceleratedClockSpec, parseClock } from './clock.ts';
import { parseRuntimeConfig } from './config.ts';

describe('runtime config', () => {
  it('has documented defaults', () => {
    const c = parseRuntimeConfig({});
    expect(c.brokers).toEqual(['localhost:9092']);
    expect(c.registryUrl).toBe('http://localhost:8081/apis/ccompat/v7');
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/otaflow');
    expect(c.topicPrefix).toBe('');
    expect(c.kafkaDriver).toBe('kafkajs');
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('fails fast naming the variable that is wrong', () => {
    expect(() => parseRuntimeConfig({ OTAFLOW_KAFKA_BROKERS: 'nohost' })).toThrow(/OTAFLOW_KAFKA_BROKERS/);
    expect(() => parseRuntimeConfig({ DATABASE_URL: 'not a url' })).toThrow(/DATABASE_URL/);
    expect(() => parseRuntimeConfig({ OTAFLOW_TOPIC_PREFIX: 'a b' })).toThrow(/OTAFLOW_TOPIC_PREFIX/);
    expect(() => parseRuntimeConfig({ OTAFLOW_CLOCK: 'fast' })).toThrow(/OTAFLOW_CLOCK/);
    expect(() => parseRuntimeConfig({ OTAFLOW_KAFKA_DRIVER: 'librdkafka' })).toThrow('OTAFLOW_KAFKA_DRIVER must be one of kafkajs, platformatic, got "librdkafka"');
    expect(parseRuntimeConfig({ OTAFLOW_KAFKA_DRIVER: 'platformatic' }).kafkaDriver).toBe('platformatic');
  });
  it('R-SEC-3: a config error shows a malformed URL with its password masked', () => {
    expect(() => parseRuntimeConfig({ DATABASE_URL: 'postgres://app:s3cret@db:notaport/otaflow' })).toThrow(
      'DATABASE_URL must be a URL, got "postgres://app:***@db:notaport/otaflow"',
    );
    expect(() => parseRuntimeConfig({ OTAFLOW_REGISTRY_URL: 'http://svc:s3cret@registry:http' })).toThrow('got "http://svc:***@registry:http"');
    expect(() => parseRuntimeConfig({ OTAFLOW_KAFKA_BROKERS: 'b1:9092,sasl://app:s3cret@b2:9092' })).toThrow('got "b1:9092,sasl://app:***@b2:9092"');
  });
  it('reads OTAFLOW_PARTITIONS as the partition count to provision: unset leaves it to the existing topics, a bad value fails naming it', () => {
    expect(parseRuntimeConfig({}).partitions).toBeUndefined();
    expect(parseRuntimeConfig({ OTAFLOW_PARTITIONS: '48' }).partitions).toBe(48);
    for (const bad of ['', '0', '-6', '6.5', 'many', '1001']) expect(() => parseRuntimeConfig({ OTAFLOW_PARTITIONS: bad })).toThrow(/OTAFLOW_PARTITIONS must be a positive integer of at most 1000/);
  });
  it('reads OTAFLOW_HTTP_PORT as a port: absent is undefined, 0 is kept (no server), anything else fails naming it', () => {
    expect(parseRuntimeConfig({}).httpPort).toBeUndefined();
    expect(parseRuntimeConfig({ OTAFLOW_HTTP_PORT: '0' }).httpPort).toBe(0);
    expect(parseRuntimeConfig({ OTAFLOW_HTTP_PORT: '9401' }).httpPort).toBe(9401);
    for (const bad of ['', '-1', '65536', '94o1', '08080', ' 9401']) expect(() => parseRuntimeConfig({ OTAFLOW_HTTP_PORT: bad })).toThrow(/OTAFLOW_HTTP_PORT must be a port number/);
  });
});

describe('clocks', () => {
  it('an accelerated clock runs its virtual time factor times faster, agreed by every process with the same spec', () => {
    const realStart = Date.now();
    const a = parseClock(acceleratedClockSpec(3600, 0, realStart));
    const b = acceleratedClock(3600, 0, realStart);
    expect(Math.abs(a.now() - b.now())).toBeLessThan(3600 * 50);
    expect(a.realDelayUntil(a.now() + 3600_000)).toBeLessThanOrEqual(1000);
    expect(a.realDelayUntil(0)).toBe(0);
  });
});
