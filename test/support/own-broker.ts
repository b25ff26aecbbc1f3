import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseRuntimeConfig } from '../../services/runtime/config.ts';
import { createKafka } from '../../services/runtime/kafka/client.ts';
import type { Admin } from '../../services/runtime/kafka/port.ts';
import { testLogDir } from '../../scripts/lib/service-process.ts';
import { projectRoot } from '../../services/runtime/topics.ts';

/**
 * A Kafka broker of a fault test's own, run by `scripts/stack up kafka` from the jars the shared
 * stack already downloaded, with its own ports, config, data and logs in a temporary directory:
 * the test may stop and kill it while every other test keeps the shared broker.
 */
export class OwnBroker {
  readonly port: number;
  readonly dir: string;
  /** Where the broker's log is kept once its directory is gone: beside the services' logs. */
  readonly logFile: string;
  /** The broker's one client listener: PLAINTEXT, or SASL_SSL (R-SEC-3, `OTAFLOW_STACK_KAFKA_SECURITY`). */
  readonly security: BrokerSecurity;
  readonly #env: Record<string, string | undefined>;

  private constructor(port: number, controllerPort: number, dir: string, security: BrokerSecurity) {
    this.port = port;
    this.dir = dir;
    this.security = security;
    this.logFile = join(testLogDir, `${basename(dir)}.log`);
    this.#env = {
      ...process.env,
      OTAFLOW_STACK_KAFKA_SECURITY: security,
      OTAFLOW_STACK_DIR: dir,
      // The downloads are the shared stack's, wherever it keeps them.
      OTAFLOW_STACK_CACHE: process.env.OTAFLOW_STACK_CACHE ?? process.env.OTAFLOW_STACK_DIR ?? join(projectRoot, '.stack'),
      OTAFLOW_KAFKA_PORT: String(port),
      OTAFLOW_KAFKA_CONTROLLER_PORT: String(controllerPort),
    };
  }

  /** Formats a fresh broker on two free ports and starts it. */
  static async create(label: string, security: BrokerSecurity = 'PLAINTEXT'): Promise<OwnBroker> {
    const [port, controllerPort] = [await freePort(), await freePort()];
    const broker = new OwnBroker(port, controllerPort, mkdtempSync(join(tmpdir(), `otaflow-${label}-broker-`)), security);
    await broker.start();
    return broker;
  }

  /** The value for OTAFLOW_KAFKA_BROKERS. */
  get brokers(): string {
    return `localhost:${this.port}`;
  }

  /** Where a SASL_SSL broker's CA, certificates and passwords are (scripts/stack). */
  get secretsDir(): string {
    return join(this.dir, 'kafka', 'secrets');
  }

  /** What otaflow's clients need to reach the broker: the brokers and, over SASL_SSL, the stack's client.env. */
  get clientEnv(): Record<string, string> {
    const env: Record<string, string> = { OTAFLOW_KAFKA_BROKERS: this.brokers };
    if (this.security === 'PLAINTEXT') return env;
    for (const line of readFileSync(join(this.secretsDir, 'client.env'), 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return env;
  }

  /**
   * Starts the broker (again: same ports, same data) and resolves once it is up; returns the
   * instant it first answered a metadata request, polled every 100 ms, which is when clients
   * can reach it again.
   */
  async start(): Promise<number> {
    const up = this.#stack('up');
    let failed = false;
    up.catch(() => (failed = true));
    const answered = await this.#firstTime(() => failed, (admin) => admin.listTopics());
    await up;
    return answered!;
  }

  /**
   * The instant, polled every 100 ms, from which the broker serves again what clients need of
   * it: every partition of `topics` answers from its leader and every group's coordinator has
   * loaded the group. After a clean stop a broker answers metadata well before that: the
   * controlled shutdown left its partitions without a leader, and it must lead them again and
   * reload its groups (kill -9 leaves the leaders in place: it serves them as it comes up).
   */
  async serving(topics: readonly string[], groups: readonly string[], timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const serving = await this.#firstTime(() => Date.now() > deadline, async (admin) => {
      for (const topic of topics) await admin.topicOffsets(topic);
      for (const groupId of groups) await admin.groupOffsets(groupId);
    });
    if (serving === undefined) throw new Error(`the broker in ${this.dir} did not lead ${topics.length} topics and coordinate ${groups.length} groups within ${timeoutMs} ms`);
    return serving;
  }

  /**
   * When the first attempt of `request` that succeeds began (so that what is measured from it is
   * never short), tried every 100 ms until `gaveUp`.
   */
  async #firstTime(gaveUp: () => boolean, request: (admin: Admin) => Promise<unknown>): Promise<number | undefined> {
    while (!gaveUp()) {
      const began = Date.now();
      let admin: Admin | undefined;
      try {
        // A SASL_SSL broker's client.env appears while `scripts/stack up` prepares it.
        const config = parseRuntimeConfig(this.clientEnv);
        admin = createKafka({ ...config, brokers: [this.brokers] }, undefined, 'otaflow-own-broker-probe', { failFast: true }).admin();
        await admin.connect();
        await request(admin);
        return began;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      } finally {
        await admin?.disconnect().catch(() => undefined);
      }
    }
    return undefined;
  }

  /** A clean shutdown: SIGTERM, and wait until the process has exited. */
  async stop(): Promise<void> {
    await this.#stack('down');
  }

  /** SIGKILL: no controlled shutdown, nothing flushed. */
  async kill(): Promise<void> {
    await this.#stack('kill');
  }

  /** Stops the broker and deletes its directory (config, data), keeping its log as `logFile`. */
  async dispose(): Promise<void> {
    await this.stop();
    const log = join(this.dir, 'logs', 'kafka.log');
    if (existsSync(log)) {
      mkdirSync(testLogDir, { recursive: true });
      copyFileSync(log, this.logFile);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs `scripts/stack <command> kafka` without blocking the event loop: the test's own clients keep running meanwhile. */
  #stack(command: 'up' | 'down' | 'kill'): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['scripts/stack', command, 'kafka'], { cwd: projectRoot, env: this.#env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d));
      child.stderr.on('data', (d: Buffer) => (output += d));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`scripts/stack ${command} kafka (own broker in ${this.dir}) exited with ${code}:\n${output}`))));
    });
  }
}

export type BrokerSecurity = 'PLAINTEXT' | 'SASL_SSL';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
