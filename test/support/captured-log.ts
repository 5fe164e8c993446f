// The service's real log (pino, as Fastify writes it), captured in memory: pass `logger` to
// startTestService (or buildApp) and read the parsed lines back.
import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown> & { level: number; msg?: string };

export interface CapturedLog {
  /** Fastify's `logger` option: pino at `info` writing into this capture. */
  readonly logger: { level: string; stream: Writable };
  readonly lines: LogLine[];
  /** The lines whose JSON text contains `text`. */
  containing(text: string): LogLine[];
}

export const LEVEL = { info: 30, warn: 40, error: 50 } as const;

export function captureLog(level = 'info'): CapturedLog {
  const lines: LogLine[] = [];
  let pending = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      pending += chunk.toString('utf8');
      const complete = pending.split('\n');
      pending = complete.pop() ?? '';
      for (const line of complete) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return {
    logger: { level, stream },
    lines,
    containing: (text) => lines.filter((line) => JSON.stringify(line).includes(text)),
  };
}
