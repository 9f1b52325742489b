// pino JSON logs; pretty-printed when stdout is a terminal.
import pino, { type Logger } from 'pino';

/**
 * Largest write to stdout. SMTP worker processes share stdout with the primary; a pipe writes up
 * to PIPE_BUF bytes (4096 on Linux) atomically, so writes of whole lines no larger than that
 * never interleave with another process's lines (pino would otherwise batch up to 16 KB).
 */
const ATOMIC_WRITE_BYTES = 4096;

export function createLogger(level = process.env.POSTERN_LOG_LEVEL ?? 'info'): Logger {
  if (process.stdout.isTTY) {
    return pino({ level, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:standard' } } });
  }
  return pino({ level }, pino.destination({ fd: 1, sync: false, maxWrite: ATOMIC_WRITE_BYTES }));
}
