#!/usr/bin/env node
// Rewrites README.md's settings table from the settings table in the code (npm run gen:docs,
// which builds first). tests/settings/readme.test.ts fails while the README is not current.
import { readFileSync, writeFileSync } from 'node:fs';
import { readmeWithSettings } from '../dist/settings/readme.js';

const path = new URL('../README.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = readmeWithSettings(before);
if (after !== before) writeFileSync(path, after);
console.log(
  after === before ? 'README.md: settings table is current' : 'README.md: settings table rewritten',
);
