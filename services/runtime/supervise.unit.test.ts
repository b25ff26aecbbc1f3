import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Unavailable } from './errors.ts';
import { supervise, type Supervisable } from './supervise.ts';

const log = pino({ level: 'silent' });

/** A service whose progress the test controls: `crash()` settles `failed` as a dead consumer would. */
function fakeService(started: string[]): Supervisable & { crash(e: Error): void; stopped: boolean } {
  let crash!: (e: Error) => void;
  const service = {
    failed: new Promise<Error>((resolve) => (crash = resolve)),
    stopped: false,
    crash: (e: Error) => crash(e),
    async stop() {
      service.stopped = true;
    },
  };
  started.push('started');
  return service;
}

describe('supervise', () => {
  it('starts a service again when it stops making progress, and stops it on request', async () => {
    const started: string[] = [];
    const services: ReturnType<typeof fakeService>[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = supervise('test service', async () => services[services.push(fakeService(started)) - 1]!, { log, stopped });
    await expect.poll(() => services.length).toBe(1);
    services[0]!.crash(new Error('The consumer crashed for good'));
    await expect.poll(() => services.length, { timeout: 5_000 }).toBe(2);
    expect(services[0]!.stopped).toBe(true);
    stop();
    await running;
    expect(services[1]!.stopped).toBe(true);
    expect(started).toHaveLength(2);
  });

  it('tries a start again while a dependency is unavailable, and gives up at once on anything else', async () => {
    let attempts = 0;
    const stopped = new Promise<void>(() => undefined);
    let stop!: () => void;
    const done = new Promise<void>((resolve) => (stop = resolve));
    const running = supervise(
      'test service',
      async () => {
        attempts++;
        if (attempts < 3) throw new Unavailable('broker unreachable');
        stop();
        return { failed: new Promise<Error>(() => undefined), stop: async () => undefined };
      },
      { log, stopped: done },
    );
    await running;
    expect(attempts).toBe(3);
    await expect(supervise('bad config', async () => Promise.reject(new Error('OTAFLOW_KAFKA_BROKERS must be host:port')), { log, stopped })).rejects.toThrow(/OTAFLOW_KAFKA_BROKERS/);
  });
});
