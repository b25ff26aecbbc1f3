import { readFileSync } from 'node:fs';
import type { Env } from './config.ts';

/**
 * A secret from the environment (R-SEC-3): read from the file `<name>_FILE` names (a mounted
 * secret; one trailing newline dropped), or else from `<name>` itself; never from the command
 * line, where `ps` shows it. Both set is refused: which one wins would be a guess.
 */
export function envSecret(env: Env, name: string): { readonly value: string; readonly source: string } | undefined {
  const file = env[`${name}_FILE`];
  if (file !== undefined && env[name] !== undefined) throw new Error(`set ${name}_FILE or ${name}, not both`);
  if (file === undefined) return env[name] === undefined ? undefined : { value: env[name]!, source: name };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${name}_FILE: cannot read "${file}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return { value: text.replace(/\r?\n$/, ''), source: `${name}_FILE (${file})` };
}
