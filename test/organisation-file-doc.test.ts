// Holds docs/organisation-file.md to what the import accepts: its example imports cleanly, and the
// vocabularies it lists (actions, licenses) are the schema's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { USER_LICENSES } from '../src/domain/caller.js';
import { KNOWN_ACTIONS } from '../src/org/organisation-schema.js';
import { parseOrganisation } from '../src/org/parse-organisation.js';

const page = readFileSync(new URL('../docs/organisation-file.md', import.meta.url), 'utf8');

/** The backquoted names in the table row of `attribute`, in the section `### section`. */
function namesInRow(section: string, attribute: string): string[] {
  const start = page.indexOf(`### \`${section}\``);
  assert.ok(start >= 0, `the page has a ${section} section`);
  const row = page
    .slice(start)
    .split('\n')
    .find((line) => line.startsWith(`| \`${attribute}\``));
  assert.ok(row, `${section} has a row for ${attribute}`);
  const cells = row.split('|');
  return [...(cells[3] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}

describe('docs/organisation-file.md', () => {
  it('its example is a valid organisation file', () => {
    const example = /```json\n([\s\S]*?)```/.exec(page)?.[1];
    assert.ok(example, 'the page has a JSON example');
    const parsed = parseOrganisation(example);
    assert.deepEqual(parsed.ok ? [] : parsed.problems, []);
  });

  it('lists exactly the actions and the licenses the import accepts', () => {
    assert.deepEqual(namesInRow('roles', 'actions').sort(), [...KNOWN_ACTIONS].sort());
    assert.deepEqual(namesInRow('users', 'licenses').sort(), [...USER_LICENSES].sort());
  });
});
