import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../services/runtime/topics.ts';

export const testLogDir = join(projectRoot, '.stack', 'logs', 'test');
export const demoLogDir = join(projectRoot, '.stack', 'logs', 'demo');

/** process.memoryUsage() of a measured service after a full garbage collection. */
export interface ServiceMemory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

const probe = join(projectRoot, 'scripts', 'lib', 'memory-probe.ts');

/** A service started as its own Node process, as in production; logs go to a file. */
export class ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  #child: ChildProcess | undefined;
  #env: Record<string, string | undefined>;
  readonly #measured: boolean;

  /** A `measured` service answers memory() (scripts/lib/memory-probe.ts). */
  constructor(name: string, env: Record<string, string | undefined>, label: string, logDir = testLogDir, options: { measured?: boolean } = {}) {
    this.name = name;
    this.#env = env;
    this.#measured = options.measured ?? false;
    mkdirSync(logDir, { recursive: true });
    this.logFile = join(logDir, `${label}-${name}.log`);
  }

  start(instance = 'a'): void {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const probing = this.#measured ? ['--expose-gc', '--import', probe] : [];
    const child = spawn(process.execPath, [...probing, join(projectRoot, 'services', this.name, 'main.ts')], {
      cwd: projectRoot,
      env: { ...this.#env, OTAFLOW_LOG_LEVEL: 'info', OTAFLOW_INSTANCE_ID: `${this.name}-${instance}` },
      stdio: this.#measured ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
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

  /** Memory of a running measured process after a full garbage collection. */
  async memory(timeoutMs = 60_000): Promise<ServiceMemory> {
    const child = this.#child;
    if (!this.#measured || !child || !this.running) throw new Error(`${this.name} is not a running measured process`);
    return new Promise<ServiceMemory>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not report its memory within ${timeoutMs} ms`)), timeoutMs);
      child.once('message', (m) => {
        clearTimeout(timer);
        resolve(m as ServiceMemory);
      });
      child.send('memory');
    });
  }

  /** CPU seconds, user and system, the running process has used so far (/proc/<pid>/stat, Linux). */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // The fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in USER_HZ (100 on Linux).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  /** The largest resident set the running process has had (VmHWM, Linux). */
  peakRss(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status);
    if (!kb) throw new Error(`no VmHWM in /proc/${this.pid}/status`);
    return Number(kb[1]) * 1024;
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
