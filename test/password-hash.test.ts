// Console passwords as scrypt hashes (src/auth/password-hash.ts): the stored string carries its
// parameters and salt, and anything that is not such a hash never matches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from '../src/auth/password-hash.js';

describe('password hashes', () => {
  it('matches the password it was made from, and only that one', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.match(hash, /^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.equal(await verifyPassword('correct horse battery', hash), true);
    assert.equal(await verifyPassword('correct horse batterY', hash), false);
    assert.equal(await verifyPassword('', hash), false);
  });

  it('salts every hash: the same password twice gives two hashes', async () => {
    assert.notEqual(await hashPassword('same password'), await hashPassword('same password'));
  });

  it('never matches a damaged, foreign or unbounded hash', async () => {
    const hash = await hashPassword('a password');
    const parts = hash.split('$');
    const tampered = [...parts.slice(0, 4), parts[4].replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))].join('$');
    for (const stored of [
      tampered,
      hash.replace('ln=15', 'ln=14'),
      hash.replace('ln=15', 'ln=30'),
      '$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo',
      'a password',
      '',
    ]) {
      assert.equal(await verifyPassword('a password', stored), false, stored);
    }
  });
});
