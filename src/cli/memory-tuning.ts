// How much the V8 heap may grow past its live size before the next full collection. V8 lets a small,
// fast-allocating heap grow up to 4× its live data; a server allocating short-lived request objects
// then peaks far above what it holds. 100 % (grow to 2× live) took ~50 MB off the busiest
// benchmark scenarios' peak RSS with no throughput change beyond run-to-run noise (bench/RESULTS.md),
// and unlike --max-old-space-size it sets no ceiling that a burst of large bodies could hit.
// Applied at run time because NODE_OPTIONS does not accept this V8 flag; a flag given on the
// node command line wins.
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_FLAG = '--heap-growing-percent';
export const HEAP_GROWING_PERCENT = 100;

export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => arg.startsWith(HEAP_GROWING_FLAG))) return false;
  setFlagsFromString(`${HEAP_GROWING_FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}
