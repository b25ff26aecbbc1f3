import { expect } from 'vitest';
import type { ActorType, Output, Wake } from '../../services/runtime/actor.ts';
import { decideBatch } from '../../services/runtime/decide-batch.ts';
import { deadLetterOrRetry } from '../../services/runtime/errors.ts';
import { encodeOutput, sharedMemoryCodecs } from './memory-codecs.ts';

/** A given input, decided at the `when` time, or at its own: `[input, at]`. */
export type GivenStep<In> = In | Wake | readonly [In | Wake, number];

export interface Decided<S> {
  /** `undefined`: the actor was forgotten (its next input starts from `initial`). */
  readonly state: S | undefined;
  readonly outputs: readonly Output[];
}

export type ThenCheck<S> = (outputs: readonly Output[], state: S | undefined) => boolean | void;

export const wake = (at: number): Wake => ({ kind: 'wake', at });

/** The values an actor sent to one topic, in order. */
export const sentTo = <V = unknown>(topic: string, outputs: readonly Output[]): V[] => outputs.filter((o) => o.topic === topic).map((o) => o.value as V);

/**
 * Given/when/then for one actor type, modelled on emmett's DeciderSpecification:
 *
 *   spec(cellActor(), 'c1').given([acquire('a')]).when(acquire('b'), at).then([...outputs])
 *
 * `given` takes the actor's history (inputs decided in order; their outputs are not checked) or
 * a state. Every decision goes through the runtime's decideBatch with the real codecs, so an
 * input it rejects — decide throws, a state or output over the record limit, an output its
 * topic's schema refuses — is a rejection with the reason its dead letter would give:
 * `thenRejects(/reason/)` expects one, and `then` fails on one, naming it.
 */
export function spec<S, In>(actor: ActorType<S, In>, key = 'key') {
  return {
    given(history: S | readonly GivenStep<In>[] = []) {
      return {
        when(input: In | Wake, at = 0) {
          const run = () => {
            let state: S | undefined;
            if (!Array.isArray(history)) state = history as S;
            else {
              (history as readonly GivenStep<In>[]).forEach((step, i) => {
                const [given, givenAt] = Array.isArray(step) ? (step as readonly [In | Wake, number]) : [step as In | Wake, at];
                const d = decideOne(actor, key, state, given, givenAt);
                if ('rejection' in d) throw new Error(`given input #${i} was rejected: ${d.rejection}`);
                state = d.state;
              });
            }
            return { before: state, decided: decideOne(actor, key, state, input, at) };
          };
          return {
            then(expected: readonly Output[] | ThenCheck<S>): Decided<S> {
              const { decided } = run();
              if ('rejection' in decided) throw new Error(`expected a decision, but the input was rejected: ${decided.rejection}`);
              if (typeof expected !== 'function') expect(decided.outputs).toEqual(expected);
              else if (expected(decided.outputs, decided.state) === false) throw new Error(`the check returned false for outputs ${JSON.stringify(decided.outputs)}`);
              return decided;
            },
            /** No output, and the state as it was. */
            thenNothingHappened(): Decided<S> {
              const { before, decided } = run();
              if ('rejection' in decided) throw new Error(`expected nothing to happen, but the input was rejected: ${decided.rejection}`);
              expect(decided.outputs).toEqual([]);
              expect(decided.state).toEqual(before ?? actor.initial(key));
              return decided;
            },
            thenRejects(reason: RegExp | string): void {
              const { decided } = run();
              if (!('rejection' in decided)) throw new Error(`expected a rejection, but the input was decided with outputs ${JSON.stringify(decided.outputs)}`);
              expect(decided.rejection).toMatch(reason);
            },
          };
        },
      };
    },
  };
}

function decideOne<S, In>(actor: ActorType<S, In>, key: string, state: S | undefined, input: In | Wake, at: number): Decided<S> | { readonly rejection: string } {
  // One input, one batch: encode runs once per output unless the input is rejected.
  const outputs: Output[] = [];
  const codecs = sharedMemoryCodecs();
  const d = decideBatch(
    {
      actor,
      stored: () => state,
      encode: (o) => {
        outputs.push(o);
        return encodeOutput(codecs, o);
      },
      recovery: deadLetterOrRetry,
      service: actor.name,
    },
    [{ key, input }],
    at,
  );
  const rejected = d.rejections[0];
  return rejected ? { rejection: rejected.reason } : { state: d.staged.get(key), outputs };
}
