import { describe, expect, it } from 'vitest';
import { InvalidMessage, type ActorType } from '../services/runtime/actor.ts';
import { MAX_RECORD_BYTES } from '../services/runtime/record-size.ts';
import { spec, wake } from './support/decider-spec.ts';

/** A counter that reports each count: `bad` is refused, `big` is over the record limit, `wrong` breaks its topic's schema; a wake-up does nothing. */
type In = 'add' | 'bad' | 'big' | 'wrong';
const counter: ActorType<{ readonly n: number; readonly at: number }, In> = {
  name: 'counter',
  initial: () => ({ n: 0, at: 0 }),
  wakeAt: () => undefined,
  decide(state, input, now) {
    if (typeof input !== 'string') return { state, outputs: [] };
    if (input === 'bad') throw new InvalidMessage('bad is not a count');
    const n = state.n + 1;
    const value = input === 'big' ? 'x'.repeat(MAX_RECORD_BYTES) : { n, at: now };
    const outputs = input === 'wrong' ? [{ topic: 'campaign-events', key: 'k', value: { n } }] : [{ topic: 'cell-events', key: 'k', value }];
    return { state: { n, at: now }, outputs };
  },
};
const counting = spec(counter, 'k');

describe('decider specification', () => {
  it('decides the given inputs in order, each at its own time or the when time, then checks the outputs', () => {
    counting.given([['add', 5], 'add']).when('add', 9).then([{ topic: 'cell-events', key: 'k', value: { n: 3, at: 9 } }]);
    counting.given({ n: 7, at: 0 }).when('add', 9).then((outputs, state) => outputs.length === 1 && state?.n === 8);
    expect(() => counting.given().when('add').then([])).toThrow();
    expect(() => counting.given().when('add').then(() => false)).toThrow(/the check returned false/);
  });

  it('rejects as the runtime would: decide refusing the input, an output over the record limit, an output its schema refuses', () => {
    counting.given(['add']).when('bad').thenRejects(/^counter could not handle the message: bad is not a count$/);
    counting.given().when('big').thenRejects(/its output to cell-events would be \d+ bytes, over the 1000000-byte record limit/);
    counting.given().when('wrong').thenRejects(/^defect in otaflow's counter service.*output to campaign-events does not encode/);
    expect(() => counting.given().when('bad').then([])).toThrow('expected a decision, but the input was rejected: counter could not handle the message: bad is not a count');
    expect(() => counting.given(['bad']).when('add').then(() => true)).toThrow(/^given input #0 was rejected/);
  });

  it('says when something happened where nothing should', () => {
    counting.given(['add']).when(wake(3), 3).thenNothingHappened();
    expect(() => counting.given().when('add').thenNothingHappened()).toThrow();
  });
});
