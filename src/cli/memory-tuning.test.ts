import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tuneHeapGrowth } from './memory-tuning.js';

describe('tuneHeapGrowth', () => {
  it('leaves a --heap-growing-percent given on the node command line alone', () => {
    assert.equal(tuneHeapGrowth(['--max-semi-space-size=4', '--heap-growing-percent=30']), false);
    assert.equal(tuneHeapGrowth(['--heap_growing_percent=0']), false);
  });

  it('sets the growth limit otherwise', () => {
    assert.equal(tuneHeapGrowth(['--max-semi-space-size=4']), true);
  });
});
