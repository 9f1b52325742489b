// pino JSON logs; pretty-printed when stdout is a terminal.
import pino, { type Logger } from 'pino';

export function createLogger(level = process.env.POSTERN_LOG_LEVEL ?? 'info'): Logger {
  if (process.stdout.isTTY) {
    return pino({ level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  }
  return pino({ level });
}
