import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuntimeConfig } from './config.ts';
import { createRedactor } from './redact.ts';

const dir = mkdtempSync(join(tmpdir(), 'otaflow-transport-'));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
const cert = file('client.pem', '-----BEGIN CERTIFICATE-----\nCLIENT\n-----END CERTIFICATE-----\n');
const key = file('client.key', '-----BEGIN PRIVATE KEY-----\nKEYBYTES\n-----END PRIVATE KEY-----\n');
const password = file('kafka-password', 'kafka-s3cret-pw\n');

describe('transport configuration (R-SEC-3)', () => {
  it('R-SEC-3: Kafka is PLAINTEXT unless configured; SSL trusts the system CAs, or a CA file, with an optional client certificate', () => {
    expect(parseRuntimeConfig({}).kafkaSecurity).toEqual({ protocol: 'PLAINTEXT', ssl: undefined, sasl: undefined });
    expect(parseRuntimeConfig({ OTAFLOW_KAFKA_SECURITY_PROTOCOL: 'SSL' }).kafkaSecurity.ssl).toBe(true);
    const mtls = parseRuntimeConfig({ OTAFLOW_KAFKA_SECURITY_PROTOCOL: 'SSL', OTAFLOW_KAFKA_SSL_CA_FILE: ca, OTAFLOW_KAFKA_SSL_CERT_FILE: cert, OTAFLOW_KAFKA_SSL_KEY_FILE: key });
    expect(mtls.kafkaSecurity.ssl).toEqual({ ca: [expect.stringContaining('CA')], cert: expect.stringContaining('CLIENT'), key: expect.stringContaining('KEYBYTES') });
  });

  it('R-SEC-3: SASL/SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN take their password from a file, and it is a secret the logs mask', () => {
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN']) {
      const c = parseRuntimeConfig({ OTAFLOW_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', OTAFLOW_KAFKA_SASL_MECHANISM: mechanism, OTAFLOW_KAFKA_SASL_USERNAME: 'device-svc', OTAFLOW_KAFKA_SASL_PASSWORD_FILE: password });
      expect(c.kafkaSecurity).toEqual({ protocol: 'SASL_SSL', ssl: true, sasl: { mechanism: mechanism.toLowerCase(), username: 'device-svc', password: 'kafka-s3cret-pw' } });
      expect(createRedactor(c.secrets)('{"msg":"auth with kafka-s3cret-pw"}')).toBe('{"msg":"auth with ***"}');
    }
  });

  it('R-SEC-3: a Kafka security setting that cannot work fails the start, naming the variable', () => {
    const sasl = { OTAFLOW_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', OTAFLOW_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', OTAFLOW_KAFKA_SASL_USERNAME: 'u', OTAFLOW_KAFKA_SASL_PASSWORD_FILE: password };
    const cases: [Record<string, string>, string][] = [
      [{ OTAFLOW_KAFKA_SECURITY_PROTOCOL: 'TLS' }, 'OTAFLOW_KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL'],
      [{ OTAFLOW_KAFKA_SSL_CA_FILE: ca }, 'OTAFLOW_KAFKA_SSL_* files are set, but OTAFLOW_KAFKA_SECURITY_PROTOCOL is PLAINTEXT'],
      [{ OTAFLOW_KAFKA_SECURITY_PROTOCOL: 'SSL', OTAFLOW_KAFKA_SSL_CA_FILE: join(dir, 'none.pem') }, 'OTAFLOW_KAFKA_SSL_CA_FILE: cannot read'],
      [{ OTAFLOW_KAFKA_SECURITY_PROTOCOL: 'SSL', OTAFLOW_KAFKA_SSL_CERT_FILE: cert }, 'OTAFLOW_KAFKA_SSL_CERT_FILE and OTAFLOW_KAFKA_SSL_KEY_FILE go together'],
      [{ ...sasl, OTAFLOW_KAFKA_SASL_MECHANISM: 'GSSAPI' }, 'OTAFLOW_KAFKA_SASL_MECHANISM must be one of SCRAM-SHA-256, SCRAM-SHA-512, PLAIN'],
      [{ ...sasl, OTAFLOW_KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT', OTAFLOW_KAFKA_SASL_MECHANISM: 'PLAIN' }, 'PLAIN sends the password in clear'],
      [{ ...sasl, OTAFLOW_KAFKA_SASL_USERNAME: '' }, 'OTAFLOW_KAFKA_SASL_USERNAME must name the principal'],
      [{ ...sasl, OTAFLOW_KAFKA_SASL_PASSWORD_FILE: undefined! }, 'OTAFLOW_KAFKA_SASL_PASSWORD_FILE (or OTAFLOW_KAFKA_SASL_PASSWORD) must hold the password of "u"'],
      [{ ...sasl, OTAFLOW_KAFKA_SASL_PASSWORD: 'x' }, 'set OTAFLOW_KAFKA_SASL_PASSWORD_FILE or OTAFLOW_KAFKA_SASL_PASSWORD, not both'],
      [{ OTAFLOW_KAFKA_SASL_MECHANISM: 'PLAIN' }, 'OTAFLOW_KAFKA_SASL_MECHANISM is set, but OTAFLOW_KAFKA_SECURITY_PROTOCOL is PLAINTEXT'],
    ];
    for (const [env, message] of cases) expect(() => parseRuntimeConfig(env), message).toThrow(message);
  });

  it('R-SEC-3: the registry takes basic credentials (variables or the URL) or a bearer token from a file, over https, and they are secrets', () => {
    const secret = file('registry-password', 'reg-pa55word');
    const token = file('registry-token', 'eyJhbGciOi.token.value\n');
    const basic = parseRuntimeConfig({ OTAFLOW_REGISTRY_URL: 'https://registry.example/apis/ccompat/v7', OTAFLOW_REGISTRY_USERNAME: 'otaflow', OTAFLOW_REGISTRY_PASSWORD_FILE: secret });
    expect(basic.registry).toEqual({ authorization: `Basic ${Buffer.from('otaflow:reg-pa55word').toString('base64')}`, tls: undefined });
    expect(basic.secrets).toEqual(expect.arrayContaining(['reg-pa55word', Buffer.from('otaflow:reg-pa55word').toString('base64')]));
    const bearer = parseRuntimeConfig({ OTAFLOW_REGISTRY_URL: 'https://registry.example/apis/ccompat/v7', OTAFLOW_REGISTRY_TOKEN_FILE: token, OTAFLOW_REGISTRY_SSL_CA_FILE: ca });
    expect(bearer.registry).toEqual({ authorization: 'Bearer eyJhbGciOi.token.value', tls: { ca: [expect.stringContaining('CA')] } });
    expect(bearer.secrets).toContain('eyJhbGciOi.token.value');
    expect(parseRuntimeConfig({ OTAFLOW_REGISTRY_URL: 'http://svc:pw@127.0.0.1:8081/apis/ccompat/v7' }).registry.authorization).toBe(`Basic ${Buffer.from('svc:pw').toString('base64')}`);
    expect(parseRuntimeConfig({}).registry).toEqual({ authorization: undefined, tls: undefined });
  });

  it('R-SEC-3: registry credentials to a remote http:// registry, or mixed, fail the start', () => {
    const secret = file('registry-password-2', 'reg-pa55word');
    expect(() => parseRuntimeConfig({ OTAFLOW_REGISTRY_URL: 'http://registry.example/x', OTAFLOW_REGISTRY_TOKEN: 'tok-1234' })).toThrow('OTAFLOW_REGISTRY_URL must be https:// when the registry takes credentials');
    expect(() => parseRuntimeConfig({ OTAFLOW_REGISTRY_URL: 'https://r.example/x', OTAFLOW_REGISTRY_TOKEN: 'tok-1234', OTAFLOW_REGISTRY_USERNAME: 'u', OTAFLOW_REGISTRY_PASSWORD_FILE: secret })).toThrow('not both');
    expect(() => parseRuntimeConfig({ OTAFLOW_REGISTRY_URL: 'https://r.example/x', OTAFLOW_REGISTRY_USERNAME: 'u' })).toThrow('OTAFLOW_REGISTRY_USERNAME and OTAFLOW_REGISTRY_PASSWORD(_FILE) go together');
    expect(() => parseRuntimeConfig({ OTAFLOW_REGISTRY_URL: 'http://r.example/x', OTAFLOW_REGISTRY_SSL_CA_FILE: ca })).toThrow('OTAFLOW_REGISTRY_URL is not https://');
  });
});
