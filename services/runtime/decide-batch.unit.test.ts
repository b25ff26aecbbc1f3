import { describe, expect, it } from 'vitest';
import { InvalidMessage, type ActorType, type Output } from './actor.ts';
import { decideBatch, type BatchDeps } from './decide-batch.ts';
import { Defect, deadLetterOrRetry } from './errors.ts';
import { MAX_RECORD_BYTES } from './record-size.ts';

/** A list per key: `add` appends (and echoes the value to "out"), `drop` removes the first entry, `shout` outputs a value as is. */
type In = { readonly op: 'add' | 'drop' | 'shout' | 'boom'; readonly value: string };
const lists: ActorType<{ readonly items: readonly string[] }, In> = {
  name: 'list',
  initial: () => ({ items: [] }),
  wakeAt: () => undefined,
  decide(state, input) {
    if ('kind' in input) return { state, outputs: [] };
    if (input.op === 'boom') throw new TypeError('decide fell over');
    if (input.op === 'shout') return { state, outputs: [{ topic: 'out', key: 'k', value: input.value }] };
    const items = input.op === 'add' ? [...state.items, input.value] : state.items.slice(1);
    return { state: { items }, outputs: [{ topic: 'out', key: 'k', value: `${input.op} ${items.length}` }] };
  },
};

const deps = (stored = new Map<string, { items: readonly string[] }>()): BatchDeps<{ readonly items: readonly string[] }, In> => ({
  actor: lists,
  stored: (key) => stored.get(key),
  encode: (o: Output) => {
    if (o.topic !== 'out') throw new Defect(`output to undeclared topic ${o.topic}`);
    return [o.topic, { key: o.key, value: String(o.value) }] as const;
  },
  recovery: deadLetterOrRetry,
  service: 'lists',
});

const big = (n: number) => 'x'.repeat(n);

describe('deciding a batch within the record limit', () => {
  it('rejects the inputs that would make a state too large, keeps deciding the others, and keeps output order', () => {
    const items = [
      ...Array.from({ length: 12 }, () => ({ key: 'a', input: { op: 'add', value: big(100_000) } as In })),
      { key: 'b', input: { op: 'add', value: 'small' } as In },
      { key: 'a', input: { op: 'drop', value: '' } as In },
      { key: 'a', input: { op: 'add', value: 'tiny' } as In },
    ];
    const d = decideBatch(deps(), items, 0);
    expect(d.processed).toBe(items.length);
    expect(d.rejections.map((r) => r.index)).toEqual([9, 10, 11]);
    expect(d.rejections[0]!.reason).toMatch(/^lists could not handle the message: the new state of list "a" would be \d+ bytes, over the 1000000-byte record limit$/);
    expect(d.rejections[0]!.kind).toBe('invalid');
    // After the rejected adds, the drop and the last add see nine entries: their outputs are decided again.
    expect(d.outputs.map(([, m]) => m.value)).toEqual([...Array.from({ length: 9 }, (_, i) => `add ${i + 1}`), 'add 1', 'drop 8', 'add 9']);
    expect(d.staged.get('a')!.items).toHaveLength(9);
    expect(d.serialised.get('a')!.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(JSON.parse(d.serialised.get('b')!)).toEqual({ items: ['small'] });
  });

  it('rejects an input whose output would be over the record limit, and leaves its state as it was', () => {
    const d = decideBatch(deps(), [{ key: 'a', input: { op: 'shout', value: big(MAX_RECORD_BYTES) } }, { key: 'a', input: { op: 'add', value: 'ok' } }], 0);
    expect(d.rejections).toEqual([{ index: 0, kind: 'invalid', reason: expect.stringMatching(/its output to out would be \d+ bytes, over the 1000000-byte record limit/) }]);
    expect(d.outputs.map(([, m]) => m.value)).toEqual(['add 1']);
  });

  it('calls a decide that throws a defect, and a recovery that stops on defects throws it', () => {
    const d = decideBatch(deps(), [{ key: 'a', input: { op: 'boom', value: '' } }], 0);
    expect(d.rejections).toEqual([{ index: 0, kind: 'defect', reason: "defect in otaflow's lists service, not in the record: decide fell over" }]);
    expect(d.staged.size).toBe(0);
    expect(() => decideBatch({ ...deps(), recovery: { ...deadLetterOrRetry, defect: 'stop' } }, [{ key: 'a', input: { op: 'boom', value: '' } }], 0)).toThrow(/decide fell over/);
  });

  it('names an input the actor refuses as invalid', () => {
    const refusing = { ...deps(), actor: { ...lists, decide: () => { throw new InvalidMessage('no such campaign'); } } };
    expect(decideBatch(refusing, [{ key: 'a', input: { op: 'add', value: '' } }], 0).rejections[0]).toMatchObject({ kind: 'invalid', reason: 'lists could not handle the message: no such campaign' });
  });

  it('cuts a batch whose oversized key would cost too much to check input by input, and decides at least one input', () => {
    const full = new Map([['a', { items: Array.from({ length: 9 }, () => big(110_000)) }]]);
    const items = Array.from({ length: 200 }, () => ({ key: 'a', input: { op: 'add', value: big(1_000) } as In }));
    const d = decideBatch(deps(full), items, 0);
    expect(d.processed).toBeGreaterThanOrEqual(1);
    expect(d.processed).toBeLessThan(items.length);
    expect(d.rejections.length + d.outputs.length).toBe(d.processed);
  });
});

describe('deciding a batch of an actor written as pieces', () => {
  /** A set per key whose members are pieces of their own; `drop` forgets the whole actor. */
  type Members = { readonly members: readonly string[]; readonly changed: readonly string[] };
  const pieces: ActorType<Members, In> = {
    name: 'set',
    initial: () => ({ members: [], changed: [] }),
    wakeAt: () => undefined,
    pieces: {
      flush: (s) => ({ pieces: s.changed.map((m) => ({ piece: m, value: s.members.includes(m) ? { m } : undefined })), state: { ...s, changed: [] } }),
      assemble: (_key, found) => ({ members: [...found.keys()], changed: [] }),
    },
    decide(state, input) {
      if ('kind' in input) return { state, outputs: [] };
      if (input.op === 'drop') return { state: undefined, outputs: [] };
      return { state: { members: [...state.members, input.value], changed: [...state.changed, input.value] }, outputs: [] };
    },
  };
  const setDeps: BatchDeps<Members, In> = { ...deps(), actor: pieces, stored: () => undefined } as unknown as BatchDeps<Members, In>;

  it('writes each changed piece under the actor key and the piece name, and keeps the state without its journal', () => {
    const d = decideBatch(setDeps, [{ key: 'k', input: { op: 'add', value: 'x' } }, { key: 'k', input: { op: 'add', value: 'y' } }], 0);
    expect([...d.serialised]).toEqual([
      ['k\u0000x', '{"m":"x"}'],
      ['k\u0000y', '{"m":"y"}'],
    ]);
    expect(d.staged.get('k')).toEqual({ members: ['x', 'y'], changed: [] });
  });

  it('refuses, as a defect, to forget an actor written as pieces: its pieces would outlive it', () => {
    const d = decideBatch(setDeps, [{ key: 'k', input: { op: 'drop', value: '' } }], 0);
    expect(d.rejections).toEqual([expect.objectContaining({ kind: 'defect', reason: expect.stringContaining('written as pieces and cannot be forgotten') })]);
  });
});
