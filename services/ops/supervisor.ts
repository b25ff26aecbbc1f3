import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Logger } from '../runtime/logger.ts';

export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Where the child's lines that are not JSON log lines go, tagged with its name. */
  readonly log: Logger;
}

export interface SupervisorOptions {
  readonly log: Logger;
  /** Where the children's JSON log lines go, one per line, as they wrote them. */
  readonly out: NodeJS.WritableStream;
  /** The pause before the first restart; it doubles with every exit in a row (default 200 ms). */
  readonly initialBackoffMs?: number;
  /** The longest pause before a restart (default 30 s). */
  readonly maxBackoffMs?: number;
  /** A child that ran this long before it exited is restarted after the first pause again (default 60 s). */
  readonly stableAfterMs?: number;
  /** How long a stop waits for the children before it kills them (default 20 s). */
  readonly stopTimeoutMs?: number;
  /** Told of each restart (metrics). */
  readonly onRestart?: (name: string) => void;
}

/**
 * Runs each child as a process of its own and keeps it running: a child that exits, for any
 * reason, is started again after a pause that doubles from `initialBackoffMs` up to
 * `maxBackoffMs`. `stop` forwards a signal to every child and waits for all of them; whoever
 * runs the supervisor exits after it. Every line a child writes reaches `out` whole: JSON log
 * lines as they are (they carry their `service`), other lines through the child's own logger.
 */
export class Supervisor {
  readonly #specs: readonly ChildSpec[];
  readonly #options: SupervisorOptions;
  readonly #running = new Map<string, ChildProcess>();
  #stopping = false;
  /** Ends the pauses before restarts, on stop. */
  readonly #wakers = new Set<() => void>();
  #done: Promise<void> = Promise.resolve();

  constructor(specs: readonly ChildSpec[], options: SupervisorOptions) {
    this.#specs = specs;
    this.#options = options;
  }

  start(): void {
    this.#done = Promise.all(this.#specs.map((spec) => this.#keep(spec))).then(() => undefined);
  }

  /** The process id of a child while it runs. */
  pid(name: string): number | undefined {
    return this.#running.get(name)?.pid;
  }

  /** Forwards `signal` to every child, waits until they have all exited (SIGKILL after stopTimeoutMs); lists those it had to kill. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<string[]> {
    this.#stopping = true;
    for (const wake of this.#wakers) wake();
    for (const [name, child] of this.#running) {
      this.#options.log.info({ child: name, pid: child.pid, signal }, 'stopping service');
      child.kill(signal);
    }
    const timeoutMs = this.#options.stopTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const outcome = await Promise.race([this.#done, timedOut]);
    clearTimeout(timer);
    if (outcome !== 'timeout') return [];
    const killed = [...this.#running.keys()];
    for (const [name, child] of this.#running) {
      this.#options.log.error({ child: name, pid: child.pid, timeoutMs }, 'service did not stop in time; killing it');
      child.kill('SIGKILL');
    }
    await this.#done;
    return killed;
  }

  async #keep(spec: ChildSpec): Promise<void> {
    const { log } = this.#options;
    let exitsInARow = 0;
    while (!this.#stopping) {
      const startedAt = Date.now();
      const child = spawn(spec.command, spec.args, { env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
      this.#running.set(spec.name, child);
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
        child.once('exit', (code, signal) => resolve({ code, signal }));
        child.once('error', (error) => resolve({ code: null, signal: null, error }));
      });
      // Every line is out before the exit is told: nothing of a crash is lost or reordered.
      const drained = Promise.all([this.#pipe(spec, child.stdout!, 'stdout'), this.#pipe(spec, child.stderr!, 'stderr')]);
      log.info({ child: spec.name, pid: child.pid }, 'service started');
      const { code, signal, error } = await exited;
      await drained;
      this.#running.delete(spec.name);
      if (this.#stopping) {
        log.info({ child: spec.name, code, signal }, 'service stopped');
        return;
      }
      if (Date.now() - startedAt >= (this.#options.stableAfterMs ?? 60_000)) exitsInARow = 0;
      const delay = Math.min(this.#options.maxBackoffMs ?? 30_000, (this.#options.initialBackoffMs ?? 200) * 2 ** exitsInARow);
      exitsInARow++;
      log.warn({ child: spec.name, code, signal, err: error, restartInMs: delay }, 'service exited; restarting it');
      this.#options.onRestart?.(spec.name);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, delay);
        this.#wakers.add(wake);
      });
    }
  }

  #pipe(spec: ChildSpec, stream: Readable, name: 'stdout' | 'stderr'): Promise<void> {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.startsWith('{') && line.endsWith('}')) this.#options.out.write(`${line}\n`);
      else if (line.trim() !== '') spec.log.warn({ stream: name }, line);
    });
    return new Promise((resolve) => lines.once('close', resolve));
  }
}
