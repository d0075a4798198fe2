import pino, { type Logger } from 'pino';
import { SelfLogForwarder } from '../stack/self-logs.js';

/**
 * obs's own structured logs: JSON lines on stderr, and once the logs role
 * runs, the same lines in its store with job="obs" (see SelfLogForwarder).
 */
export function createLogger(forwarder?: SelfLogForwarder): Logger {
  const level = process.env.OBS_LOG_LEVEL ?? 'info';
  const streams: pino.StreamEntry[] = [{ level: level as pino.Level, stream: process.stderr }];
  if (forwarder) streams.push({ level: level as pino.Level, stream: forwarder });
  return pino({ level, base: { pid: process.pid } }, pino.multistream(streams));
}
