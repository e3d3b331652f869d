#!/usr/bin/env node
// Tiny launcher: the real entry point is the bundled build in dist/bundle/ (see scripts/bundle.mjs).
import('../dist/bundle/main.js').then((m) => m.main(process.argv.slice(2)));
