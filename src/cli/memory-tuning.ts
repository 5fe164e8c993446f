// How much the V8 heap may grow past its live size before the next full collection. V8 picks a factor
// from 1.1× to 4× from its GC and allocation speeds, and a small, fast-allocating heap gets close to
// 4×; a server allocating short-lived request objects then peaks far above what it holds. 100 % fixes
// the factor at 2× (it also replaces V8's more cautious factors near a --max-old-space-size cap). See
// bench/RESULTS.md for peak RSS and throughput with and without it; unlike --max-old-space-size it
// sets no ceiling that a burst of large bodies could hit. Applied at run time because NODE_OPTIONS
// does not accept this V8 flag; the flag given on the node command line (either spelling; 0 restores
// V8's own choice) wins.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_FLAG = '--heap-growing-percent';
export const HEAP_GROWING_PERCENT = 100;

export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  // V8 reads `_` and `-` in flag names alike.
  if (execArgv.some((arg) => arg.replaceAll('_', '-').startsWith(HEAP_GROWING_FLAG))) return false;
  setFlagsFromString(`${HEAP_GROWING_FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}
