import pino, { type Logger } from 'pino';

/** A pino logger whose lines are kept (parsed) for assertions. */
export interface CapturedLog {
  logger: Logger;
  lines: Array<Record<string, any>>;
  /** Lines at warn (40) or above whose msg contains `text`. */
  warnings(text: string): Array<Record<string, any>>;
}

export function captureLog(level: pino.Level = 'warn'): CapturedLog {
  const lines: Array<Record<string, any>> = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines, warnings: (text) => lines.filter((l) => l.level >= 40 && String(l.msg).includes(text)) };
}
