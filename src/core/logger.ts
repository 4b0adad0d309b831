import { noteLog } from './telemetry';

type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * One JSON object per line: Workers Logs indexes the fields, so queries can filter by
 * request_id, event or user without parsing messages.
 */
export function log(level: Level, event: string, fields: Record<string, unknown> = {}): void {
  noteLog(level, event, fields);
  const line = JSON.stringify({ level, event, time: new Date().toISOString(), ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** The parts of an unknown thrown value that are safe to log (never sent to clients). */
export function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? { cause_message: err.cause.message } : {};
    return { error_name: err.name, error_message: err.message, stack: err.stack, ...cause };
  }
  return { error_message: String(err) };
}
