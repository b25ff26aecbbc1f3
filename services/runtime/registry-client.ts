import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { RuntimeConfig } from './config.ts';

/** What reaching the registry takes (R-SEC-3): its URL, credentials and TLS files. */
export type RegistryConfig = Pick<RuntimeConfig, 'registryUrl' | 'registry'>;

/** The registry URL without the user and password it may carry: they travel as the Authorization header. */
function bareUrl(c: RegistryConfig): URL {
  const url = new URL(c.registryUrl);
  url.username = '';
  url.password = '';
  return url;
}

// One agent per configuration, so connections are kept alive across requests.
const agents = new WeakMap<RegistryConfig['registry'], HttpsAgent>();
function agentOf(c: RegistryConfig): HttpsAgent | undefined {
  if (!c.registry.tls) return undefined;
  let agent = agents.get(c.registry);
  if (!agent) agents.set(c.registry, (agent = new HttpsAgent({ ...c.registry.tls, keepAlive: true })));
  return agent;
}

export function createRegistry(c: RegistryConfig): SchemaRegistry {
  const authorization = c.registry.authorization;
  const withAuthorization = () => ({ request: (request: { enhance: (changes: { headers: Record<string, string> }) => unknown }) => request.enhance({ headers: { authorization: authorization! } }) });
  return new SchemaRegistry({
    host: bareUrl(c).toString().replace(/\/$/, ''),
    retry: { retries: 5 },
    ...(agentOf(c) && { agent: agentOf(c) }),
    ...(authorization && { middlewares: [withAuthorization as never] }),
  });
}

/**
 * A request for `path` under the registry URL (GET unless `method` says otherwise), with its
 * credentials and TLS files, for what the registry client does not wrap. Rejects when the
 * registry cannot be reached or does not answer within `timeoutMs`.
 */
export function registryRequest(c: RegistryConfig, path: string, options: { readonly method?: 'GET' | 'DELETE'; readonly timeoutMs?: number } = {}): Promise<{ readonly status: number; readonly body: string }> {
  const { method = 'GET', timeoutMs = 10_000 } = options;
  const target = new URL(`${bareUrl(c).toString().replace(/\/$/, '')}${path}`);
  const headers: Record<string, string> = { accept: 'application/json', ...(c.registry.authorization && { authorization: c.registry.authorization }) };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { method, headers, agent: agentOf(c), timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
