import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Env } from './config.ts';
import { envSecret } from './env-secret.ts';

/**
 * R-SEC-3: how otaflow's clients reach Kafka and the schema registry, encrypted and authenticated
 * from configuration. Certificates and keys are files; passwords and tokens come from the file a
 * `*_FILE` variable names (or the variable itself), never from the command line. Each value that
 * must not be logged is returned in `secrets`.
 */
export interface KafkaSecurity {
  /** OTAFLOW_KAFKA_SECURITY_PROTOCOL: PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL, as Kafka names its listeners. */
  readonly protocol: SecurityProtocol;
  /** TLS to the brokers: true trusts the system CAs; options add a CA and a client certificate. */
  readonly ssl: ConnectionOptions | true | undefined;
  readonly sasl: SaslOptions | undefined;
}

export interface SaslOptions {
  readonly mechanism: 'scram-sha-256' | 'scram-sha-512' | 'plain';
  readonly username: string;
  readonly password: string;
}

export interface RegistryTransport {
  /** The Authorization header: Basic (username and password) or Bearer (a token). */
  readonly authorization: string | undefined;
  /** CA and client certificate for an https registry; the system CAs are trusted without it. */
  readonly tls: ConnectionOptions | undefined;
}

const protocols = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
type SecurityProtocol = (typeof protocols)[number];
const mechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] as const;
type Mechanism = (typeof mechanisms)[number];

export function parseKafkaSecurity(env: Env, secrets: string[]): KafkaSecurity {
  const protocol = (env.OTAFLOW_KAFKA_SECURITY_PROTOCOL ?? 'PLAINTEXT') as SecurityProtocol;
  if (!protocols.includes(protocol)) throw new Error(`OTAFLOW_KAFKA_SECURITY_PROTOCOL must be one of ${protocols.join(', ')}, got "${protocol}"`);
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const files = tlsFiles(env, 'OTAFLOW_KAFKA_SSL', secrets);
  if (!tls && files) throw new Error(`OTAFLOW_KAFKA_SSL_* files are set, but OTAFLOW_KAFKA_SECURITY_PROTOCOL is ${protocol}: set SSL or SASL_SSL`);
  const sasl = protocol.startsWith('SASL_') ? saslOf(env, protocol, secrets) : undefined;
  if (!sasl) for (const name of ['OTAFLOW_KAFKA_SASL_MECHANISM', 'OTAFLOW_KAFKA_SASL_USERNAME']) if (env[name] !== undefined) throw new Error(`${name} is set, but OTAFLOW_KAFKA_SECURITY_PROTOCOL is ${protocol}: set SASL_PLAINTEXT or SASL_SSL`);
  return { protocol, ssl: tls ? (files ?? true) : undefined, sasl };
}

function saslOf(env: Env, protocol: SecurityProtocol, secrets: string[]): SaslOptions {
  const mechanism = env.OTAFLOW_KAFKA_SASL_MECHANISM as Mechanism | undefined;
  if (!mechanism || !mechanisms.includes(mechanism)) throw new Error(`OTAFLOW_KAFKA_SASL_MECHANISM must be one of ${mechanisms.join(', ')} with ${protocol}, got "${mechanism ?? ''}"`);
  // PLAIN sends the password itself: only inside TLS.
  if (mechanism === 'PLAIN' && protocol !== 'SASL_SSL') throw new Error('OTAFLOW_KAFKA_SASL_MECHANISM PLAIN sends the password in clear: use it with OTAFLOW_KAFKA_SECURITY_PROTOCOL=SASL_SSL');
  const username = env.OTAFLOW_KAFKA_SASL_USERNAME;
  if (!username) throw new Error(`OTAFLOW_KAFKA_SASL_USERNAME must name the principal with ${protocol}`);
  const password = envSecret(env, 'OTAFLOW_KAFKA_SASL_PASSWORD');
  if (!password?.value) throw new Error(`OTAFLOW_KAFKA_SASL_PASSWORD_FILE (or OTAFLOW_KAFKA_SASL_PASSWORD) must hold the password of "${username}" with ${protocol}`);
  secrets.push(password.value);
  const lower = mechanism.toLowerCase() as SaslOptions['mechanism'];
  return { mechanism: lower, username, password: password.value };
}

/**
 * The registry's credentials: OTAFLOW_REGISTRY_USERNAME with OTAFLOW_REGISTRY_PASSWORD(_FILE), or
 * OTAFLOW_REGISTRY_TOKEN(_FILE), or a user and password in OTAFLOW_REGISTRY_URL as before; and
 * OTAFLOW_REGISTRY_SSL_* files for an https registry. Credentials go over https only (or to a
 * loopback host, as in the local stack).
 */
export function parseRegistryTransport(env: Env, registryUrl: string, secrets: string[]): RegistryTransport {
  const url = new URL(registryUrl);
  const password = envSecret(env, 'OTAFLOW_REGISTRY_PASSWORD');
  const token = envSecret(env, 'OTAFLOW_REGISTRY_TOKEN');
  const username = env.OTAFLOW_REGISTRY_USERNAME;
  if (token && (username !== undefined || password)) throw new Error('OTAFLOW_REGISTRY_TOKEN is a bearer token: set it or OTAFLOW_REGISTRY_USERNAME and OTAFLOW_REGISTRY_PASSWORD, not both');
  if ((token || username !== undefined) && (url.username || url.password)) throw new Error('OTAFLOW_REGISTRY_URL carries a user and password: leave them out when OTAFLOW_REGISTRY_USERNAME or OTAFLOW_REGISTRY_TOKEN is set');
  if ((username === undefined) !== (password === undefined)) throw new Error('OTAFLOW_REGISTRY_USERNAME and OTAFLOW_REGISTRY_PASSWORD(_FILE) go together');
  let authorization: string | undefined;
  if (token) {
    secrets.push(token.value);
    authorization = `Bearer ${token.value}`;
  } else if (username !== undefined || url.username || url.password) {
    const user = username ?? decodeURIComponent(url.username);
    const pass = password?.value ?? decodeURIComponent(url.password);
    if (password) secrets.push(password.value);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  if (authorization) secrets.push(authorization.slice(authorization.indexOf(' ') + 1));
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (authorization && url.protocol !== 'https:' && !loopback) throw new Error(`OTAFLOW_REGISTRY_URL must be https:// when the registry takes credentials (they would travel in clear to ${url.host})`);
  const tls = tlsFiles(env, 'OTAFLOW_REGISTRY_SSL', secrets);
  if (tls && url.protocol !== 'https:') throw new Error('OTAFLOW_REGISTRY_SSL_* files are set, but OTAFLOW_REGISTRY_URL is not https://');
  return { authorization, tls };
}

/** `<prefix>_CA_FILE`, `<prefix>_CERT_FILE` and `<prefix>_KEY_FILE` (PEM), `<prefix>_KEY_PASSWORD(_FILE)`; undefined when none is set. */
function tlsFiles(env: Env, prefix: string, secrets: string[]): ConnectionOptions | undefined {
  const read = (name: string) => {
    const path = env[name];
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`${name}: cannot read "${path}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const ca = read(`${prefix}_CA_FILE`);
  const cert = read(`${prefix}_CERT_FILE`);
  const key = read(`${prefix}_KEY_FILE`);
  const passphrase = envSecret(env, `${prefix}_KEY_PASSWORD`)?.value;
  if ((cert === undefined) !== (key === undefined)) throw new Error(`${prefix}_CERT_FILE and ${prefix}_KEY_FILE go together: a client certificate and its key`);
  if (passphrase !== undefined && key === undefined) throw new Error(`${prefix}_KEY_PASSWORD is set without ${prefix}_KEY_FILE`);
  if (key !== undefined) secrets.push(key);
  if (passphrase !== undefined) secrets.push(passphrase);
  if (ca === undefined && cert === undefined) return undefined;
  return { ...(ca !== undefined && { ca: [ca] }), ...(cert !== undefined && { cert, key }), ...(passphrase !== undefined && { passphrase }) };
}
