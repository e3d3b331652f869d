// The README's settings table is generated from the settings table: it fails while they differ
// (run `npm run gen:docs`), like a "generated code is current" check.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeWithSettings, settingsTable } from '../../src/settings/readme.js';
import { SETTINGS } from '../../src/settings/table.js';

const README = new URL('../../README.md', import.meta.url);

describe('README settings table', () => {
  it('is current: run `npm run gen:docs` after changing src/settings/table.ts', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readmeWithSettings(readme), 'README.md is stale: run npm run gen:docs').toBe(readme);
  });

  it('lists every setting once, by its variable', () => {
    const table = settingsTable();
    const envs = Object.values(SETTINGS).map((row) => row.env);
    expect(new Set(envs).size).toBe(envs.length);
    for (const env of envs) expect(table.split(`| \`${env}\` `)).toHaveLength(2);
  });

  it('replaces only what lies between the markers', () => {
    const doc = 'before\n<!-- settings:start -->\nold table\n<!-- settings:end -->\nafter\n';
    expect(readmeWithSettings(doc)).toBe(
      `before\n<!-- settings:start -->\n\n${settingsTable()}\n\n<!-- settings:end -->\nafter\n`,
    );
    expect(() => readmeWithSettings('no markers')).toThrow(/markers/);
  });
});
