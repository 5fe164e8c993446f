import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressRefusal } from './address-policy.js';

describe('webhook address policy (SSRF)', () => {
  const privateOnes = [
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    'fd00::1',
    'fe80::1',
    '::ffff:10.0.0.1',
    '::',
  ];
  const loopback = ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'];
  const publicOnes = ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '172.32.0.1', '11.0.0.1'];

  it('deny refuses private, reserved and loopback addresses and admits public ones', () => {
    for (const address of [...privateOnes, ...loopback]) assert.ok(addressRefusal('deny', address), address);
    for (const address of publicOnes) assert.equal(addressRefusal('deny', address), undefined, address);
  });

  it('allow-loopback admits loopback only', () => {
    for (const address of loopback)
      assert.equal(addressRefusal('allow-loopback', address), undefined, address);
    for (const address of privateOnes) assert.ok(addressRefusal('allow-loopback', address), address);
  });

  it('allow admits everything', () => {
    for (const address of [...privateOnes, ...loopback, ...publicOnes]) {
      assert.equal(addressRefusal('allow', address), undefined, address);
    }
  });
});
