import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../services/runtime/topics.ts';

export const testLogDir = join(projectRoot, '.stack', 'logs', 'test');
export const demoLogDir = join(projectRoot, '.stack', 'logs', 'demo');

/** A service started as its own Node process, as in production; logs go to a file. */
export class ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  #child: ChildProcess | undefined;
  #env: Record<string, string | undefined>;

  constructor(name: string, env: Record<string, string | undefined>, label: string, logDir = testLogDir) {
    this.name = name;
    this.#env = env;
    mkdirSync(logDir, { recursive: true });
    this.logFile = join(logDir, `${label}-${name}.log`);
  }

  start(instance = 'a'): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [join(projectRoot, 'services', this.name, 'main.ts')], {
      cwd: projectRoot,
      env: { ...this.#env, OTAFLOW_LOG_LEVEL: 'info', OTAFLOW_INSTANCE_ID: `${this.name}-${instance}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.#child = child;
  }

  /** The process id of the process last started, while it runs: for what a test reads in /proc. */
  get pid(): number | undefined {
    return this.running ? this.#child!.pid : undefined;
  }

  /** True while the process last started is running (it has not exited or been killed). */
  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** SIGKILL: no graceful shutdown, nothing flushed or committed. */
  async kill(): Promise<void> {
    await this.#signal('SIGKILL');
  }

  /** SIGTERM, a graceful shutdown; resolves with the exit code once the process is gone (undefined if it was not running). */
  async stop(): Promise<number | null | undefined> {
    return this.#signal('SIGTERM');
  }

  async #signal(signal: NodeJS.Signals): Promise<number | null | undefined> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return undefined;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(signal);
    const code = await exited;
    this.#child = undefined;
    return code;
  }
}
