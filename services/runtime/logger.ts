import { pino, type Logger } from 'pino';

export type { Logger };

/** The root logger of a process; components take `logger.child({...bindings})`. */
export function createLogger(service: string, level: string): Logger {
  return pino({ level, base: { service } });
}
