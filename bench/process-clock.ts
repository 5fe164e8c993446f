// Clocks the stream fan-out bench reads in several processes at once.
import { readFileSync } from 'node:fs';

/**
 * Milliseconds on CLOCK_MONOTONIC (process.hrtime): one clock for every process on the machine, so
 * a receiver process's arrival time and the writer's commit time subtract without any skew
 * (performance.now() counts from each process's own start).
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** CPU seconds (user + system) a process has used, from /proc (fields 14 and 15, in clock ticks). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const CLOCK_TICKS = 100;
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
