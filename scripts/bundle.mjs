// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/, one chunk per lazily loaded
// command, which is what bin/agent-queue.js runs. Why: Node loads an ESM graph file by file, and
// the stdio server's graph is ~450 files (kysely, zod, the MCP SDK): loading them cost about half
// of the cold start and 13 MB of RSS (bench/cold-start.mjs). The native driver and pg stay outside.
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'dist/cli/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Loaded by Node at run time: a native addon, and pg only for PostgreSQL targets.
  external: ['better-sqlite3', 'pg'],
  // CommonJS dependencies (commander, pino) call require(); an ESM bundle has none of its own.
  banner: {
    js: "import { createRequire as __aqRequire } from 'node:module'; const require = __aqRequire(import.meta.url);",
  },
  // The chunks sit at dist/bundle/, two levels below the package root like dist/<dir>/ modules,
  // so their import.meta.url-relative paths (../../package.json, ../../migrations/) still hold.
  logLevel: 'warning',
  legalComments: 'none',
  // Smaller package, same names in stack traces: whitespace and syntax only, identifiers kept.
  minifyWhitespace: true,
  minifySyntax: true,
});
