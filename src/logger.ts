import pino, { type Logger } from 'pino';

/** For parts built without a logger (unit tests, scripts): writes nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'sanifleet' }, timestamp: pino.stdTimeFunctions.isoTime });
}
