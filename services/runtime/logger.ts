import { pino, type DestinationStream, type Logger } from 'pino';
import { createRedactor, MASK, maskUrlValue } from './redact.ts';

export type { Logger };

// Fields that hold a secret wherever they are logged (a config object, a client's options, a request).
const SECRET_FIELDS = ['password', 'passphrase', 'sasl', 'secrets', 'ssl.key', 'ssl.passphrase', 'headers.authorization', 'databaseUrl', 'connectionString'];
// Fields holding a URL keep it, with its password masked: the host and database help whoever reads the log.
const URL_FIELDS = new Set(['databaseUrl', 'connectionString']);

export interface LoggerOptions {
  /** Values masked wherever they appear in a line (RuntimeConfig.secrets). */
  readonly secrets?: readonly string[];
  /** Where lines go (default stdout). */
  readonly destination?: DestinationStream;
}

/**
 * The root logger of a process; components take `logger.child({...bindings})`. No line shows a
 * secret (R-SEC-3): known secret fields are redacted, and every finished line — messages, error
 * messages and stacks, bindings — has its URL passwords and known secret values masked.
 */
export function createLogger(service: string, level: string, options: LoggerOptions = {}): Logger {
  const redact = createRedactor(options.secrets ?? []);
  return pino(
    {
      level,
      base: { service },
      redact: {
        paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`]),
        censor: (value, path) => (typeof value === 'string' && URL_FIELDS.has(path.at(-1)!) ? maskUrlValue(value) : MASK),
      },
      hooks: { streamWrite: redact },
    },
    options.destination,
  );
}
