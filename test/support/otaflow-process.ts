import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dashboardPortAfter } from '../../services/dashboard/config.ts';
import { serviceNames, servicePort, type ServiceName } from '../../services/ops/services.ts';
import { projectRoot } from '../../services/runtime/topics.ts';
import { testLogDir } from '../../scripts/lib/service-process.ts';

/** `otaflow run` as a process, as an operator starts it; its one log stream is kept in memory and in a file. */
export class OtaflowProcess {
  readonly basePort: number;
  readonly lines: string[] = [];
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcess;

  constructor(env: Record<string, string | undefined>, basePort: number, label: string) {
    this.basePort = basePort;
    mkdirSync(testLogDir, { recursive: true });
    this.logFile = join(testLogDir, `${label}-otaflow-run.log`);
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.#child = spawn(process.execPath, [join(projectRoot, 'scripts', 'otaflow.ts'), 'run'], {
      cwd: projectRoot,
      env: { ...env, OTAFLOW_HTTP_PORT: String(basePort), OTAFLOW_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      log.write(`${line}\n`);
    });
    this.#child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** The running process of a service, read from /proc: a child of this supervisor running its main.ts. */
  servicePid(name: ServiceName): number | undefined {
    const children = readFileSync(`/proc/${this.pid}/task/${this.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join('services', name, 'main.ts'));
      } catch {
        return false;
      }
    });
  }

  port(name?: ServiceName): number {
    return name ? servicePort(this.basePort, name) : this.basePort;
  }

  async get(path: string, name?: ServiceName): Promise<{ status: number; body: string }> {
    const response = await fetch(`http://127.0.0.1:${this.port(name)}${path}`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: await response.text() };
  }

  /** Sums of each metric's samples, by name (labels summed over): enough to see a value move. */
  async scrape(name?: ServiceName): Promise<Map<string, number>> {
    return parseMetrics((await this.get('/metrics', name)).body);
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }
}

/** Prometheus text format → metric name (with labels) → value, and per bare name the sum over labels. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (m[2]) out.set(`${m[1]}${m[2]}`, value);
    out.set(m[1]!, (out.get(m[1]!) ?? 0) + value);
  }
  return out;
}

/** A base port with the supervisor's, every service's and the dashboard's port after it free right now. */
export async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = [base, ...serviceNames.map((n) => servicePort(base, n)), dashboardPortAfter(base)];
    const bound = await Promise.all(ports.map((p) => listenable(p)));
    if (bound.every(Boolean)) return base;
  }
  throw new Error('no free range of ports found');
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
