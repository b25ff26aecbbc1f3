import { describe, expect, it } from 'vitest';
import { SHARED_KEY_PREFIX, type ActorType } from './actor.ts';
import { SharedValues, StateStore } from './state-store.ts';

interface Counter {
  readonly n: number;
  readonly group: { readonly name: string } | null;
}

/** A packed actor: "n|group id", the group a shared value. */
const counter: ActorType<Counter, never> = {
  name: 'counter',
  initial: () => ({ n: 0, group: null }),
  decide: (state) => ({ state, outputs: [] }),
  wakeAt: (s) => s.n,
  packed: {
    pack(_key, s, share) {
      if (s.group) share(`g-${s.group.name}`, s.group);
      return `${s.n}|${s.group ? `g-${s.group.name}` : ''}`;
    },
    unpack(_key, packed, shared) {
      const [n, group] = packed.split('|');
      return { n: Number(n), group: group ? (shared(group) as Counter['group']) : null };
    },
    wakeAt: (packed) => Number(packed.split('|')[0]),
  },
};

const committed = (store: StateStore<Counter>, states: Record<string, Counter | undefined>) => {
  const staged = new Map(Object.entries(states));
  const serialised = new Map([...staged].map(([k, s]) => [k, s === undefined ? null : counter.packed!.pack(k, s, store.share)]));
  const shares = store.takeShares();
  store.commit({ staged, serialised }, shares);
  return shares;
};

describe('state store (issue 11)', () => {
  it('holds packed states as their records and writes a shared value once per task', () => {
    const store = new StateStore(counter, new SharedValues());
    const group = { name: 'a' };
    expect(committed(store, { x: { n: 1, group }, y: { n: 2, group } })).toEqual([[`${SHARED_KEY_PREFIX}g-a`, '{"name":"a"}']]);
    expect(committed(store, { x: { n: 3, group } })).toEqual([]);
    expect(store.get('x')).toEqual({ n: 3, group });
    expect(store.get('x')!.group).toBe(store.get('y')!.group);
    committed(store, { y: undefined });
    expect(store.has('y')).toBe(false);
  });

  it('restores record by record, shared values from anywhere in the log, one object per process', () => {
    const shared = new SharedValues();
    const one = new StateStore(counter, shared);
    const two = new StateStore(counter, shared);
    one.restore('x', '5|g-a');
    one.restore(`${SHARED_KEY_PREFIX}g-a`, '{"name":"a"}');
    one.restore('y', '1|');
    one.restore('y', null);
    two.restore(`${SHARED_KEY_PREFIX}g-a`, '{"name":"a"}');
    two.restore('z', '7|g-a');
    expect([...one.restored()]).toEqual([['x', 5]]);
    expect([...two.restored()]).toEqual([['z', 7]]);
    expect(one.get('x')!.group).toBe(two.get('z')!.group);
    // What the changelog holds is not written again.
    two.share('g-a', { name: 'a' });
    expect(two.takeShares()).toEqual([]);
  });

  it('refuses a state that refers to a shared value no record brought', () => {
    const store = new StateStore(counter, new SharedValues());
    store.restore('x', '5|g-missing');
    expect(() => store.get('x')).toThrow(/shared value "g-missing"/);
  });
});
