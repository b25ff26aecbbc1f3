import { describe, expect, it } from 'vitest';
import { createWritePipeline } from './write-pipeline.ts';

/** A write the test finishes by hand, so it can see what waits meanwhile. */
function manualWriter() {
  const writes: { group: readonly number[]; finish(error?: Error): void }[] = [];
  let running = 0;
  let maxRunning = 0;
  const write = (group: readonly number[]) =>
    new Promise<readonly string[]>((resolve, reject) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      writes.push({
        group,
        finish(error) {
          running--;
          if (error) reject(error);
          else resolve(group.map((b) => `wrote ${b}`));
        },
      });
    });
  return { write, writes, maxRunning: () => maxRunning };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 1));
};

describe('projector write pipeline', () => {
  it('R-RES-4: batches that arrive while a write runs become one next write, writes never overlap, and each submit gets its own outcome', async () => {
    const w = manualWriter();
    const pipeline = createWritePipeline({ lingerMs: 1, write: w.write });
    const first = pipeline.submit(1);
    await until(() => w.writes.length === 1);
    const waiting = [2, 3, 4].map((b) => pipeline.submit(b));
    expect(pipeline.inFlight()).toBe(4);
    w.writes[0]!.finish();
    expect(await first).toBe('wrote 1');
    await until(() => w.writes.length === 2);
    expect(w.writes[1]!.group).toEqual([2, 3, 4]);
    w.writes[1]!.finish();
    expect(await Promise.all(waiting)).toEqual(['wrote 2', 'wrote 3', 'wrote 4']);
    expect(w.maxRunning()).toBe(1);
    expect(pipeline.inFlight()).toBe(0);
    pipeline.close();
  });

  it('a failed write fails its own batches and the pipeline goes on with the next ones', async () => {
    const w = manualWriter();
    const pipeline = createWritePipeline({ lingerMs: 1, write: w.write });
    const failing = pipeline.submit(1);
    await until(() => w.writes.length === 1);
    w.writes[0]!.finish(new Error('database down'));
    await expect(failing).rejects.toThrow('database down');
    const next = pipeline.submit(2);
    await until(() => w.writes.length === 2);
    w.writes[1]!.finish();
    expect(await next).toBe('wrote 2');
    pipeline.close();
  });
});
