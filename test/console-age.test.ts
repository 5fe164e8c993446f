// The console's activity ages, in English and French: the past said as the past ("il y a 32 jours"),
// never as a negative number ("-32 j").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageOf } from '../console/src/age.js';

const NOW = Date.parse('2026-11-01T12:00:00.000Z');
const before = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

describe('console ages', () => {
  it('says how long ago in English', () => {
    assert.equal(ageOf(before(32 * 1440), 'en-US', NOW), '32 days ago');
    assert.equal(ageOf(before(5 * 60), 'en-US', NOW), '5 hours ago');
    assert.equal(ageOf(before(7), 'en-US', NOW), '7 minutes ago');
  });

  it('says how long ago in French', () => {
    assert.equal(ageOf(before(32 * 1440), 'fr-FR', NOW), 'il y a 32 jours');
    assert.equal(ageOf(before(5 * 60), 'fr-FR', NOW), 'il y a 5 heures');
    assert.equal(ageOf(before(7), 'fr-FR', NOW), 'il y a 7 minutes');
  });

  it('never says the future: a clock ahead of the browser reads as just now', () => {
    assert.equal(ageOf(new Date(NOW + 60_000).toISOString(), 'en-US', NOW), '0 minutes ago');
  });
});
