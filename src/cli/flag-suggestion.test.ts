import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestFlag, editDistance } from './flag-suggestion.js';

const FLAGS = ['database-url', 'port', 'host', 'log-level', 'expires-in', 'scope', 'help'];

describe('flag suggestion', () => {
  it('counts insertions, deletions, substitutions and a swap of neighbours as one edit each', () => {
    assert.equal(editDistance('port', 'port'), 0);
    assert.equal(editDistance('prot', 'port'), 1); // transposition
    assert.equal(editDistance('pot', 'port'), 1);
    assert.equal(editDistance('portt', 'port'), 1);
    assert.equal(editDistance('bort', 'port'), 1);
    assert.equal(editDistance('', 'port'), 4);
  });

  it('suggests the closest flag for a slip of the fingers', () => {
    assert.equal(closestFlag('databse-url', FLAGS), 'database-url');
    assert.equal(closestFlag('prot', FLAGS), 'port');
    assert.equal(closestFlag('Host', FLAGS), 'host');
    assert.equal(closestFlag('loglevel', FLAGS), 'log-level');
    assert.equal(closestFlag('expires', FLAGS), 'expires-in');
  });

  it('suggests nothing for a word that is not near any flag', () => {
    assert.equal(closestFlag('bogus', FLAGS), undefined);
    assert.equal(closestFlag('frobnicate', FLAGS), undefined);
  });
});
