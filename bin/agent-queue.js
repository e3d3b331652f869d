#!/usr/bin/env node
// Tiny launcher: the real entry point is compiled TypeScript in dist/.
import('../dist/cli/main.js').then((m) => m.main(process.argv.slice(2)));
