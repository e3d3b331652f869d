// Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/, one chunk per lazily loaded
// command, which is what bin/agent-queue.js runs. Why: Node loads an ESM graph file by file, and
// the stdio server's graph is ~450 files (kysely, zod, the MCP SDK): loading them cost about half
// of the cold start and 13 MB of RSS (bench/cold-start.mjs). The native driver and pg stay outside.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

// pino is a devDependency like everything else but pg: it must be inside the bundle. It goes into
// its own CommonJS file, which src/log.ts require()s synchronously on the first line written, so
// a quiet process never loads it and the lines that are written keep their order.
const PINO_FILE = './pino.cjs';
await build({
  stdin: { contents: "module.exports = require('pino');", resolveDir: '.', loader: 'js' },
  outfile: `dist/bundle/${PINO_FILE.slice(2)}`,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
});

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
  // Tells src/log.ts where the bundled pino is (unbundled, it loads the 'pino' package).
  define: { AQ_BUNDLED_PINO: JSON.stringify(PINO_FILE) },
  logLevel: 'warning',
  legalComments: 'none',
  // Smaller package, same names in stack traces: whitespace and syntax only, identifiers kept.
  minifyWhitespace: true,
  minifySyntax: true,
});

// The installed package has no dependencies but pg (and the optional better-sqlite3 peer): any
// other package the bundle still loads at run time would crash there ("Cannot find module").
// esbuild cannot see a require() it does not own (e.g. one made with createRequire), so read the
// output: every require("x")/import("x")/from "x" outside a string must be relative, a Node
// builtin, pg or better-sqlite3.
const allowed = new Set(['pg', 'better-sqlite3', ...builtinModules]);
const loads =
  /(?<![\w$'"`])(?:[\w$]*require\d*|import)\s*\(\s*(["'])([^"'`]+)\1\s*\)|\bfrom\s*(["'])([^"'`]+)\3/g;
const stray = [];
for (const file of readdirSync('dist/bundle')) {
  for (const m of readFileSync(`dist/bundle/${file}`, 'utf8').matchAll(loads)) {
    const spec = m[2] ?? m[4];
    const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    const ok = spec.startsWith('.') || spec.startsWith('node:') || allowed.has(pkg);
    // A bare `from"...` match can be the middle of a string; only a plausible name counts.
    if (!ok && /^[@\w][\w./@-]*$/.test(spec)) stray.push(`${file}: ${m[0]}`);
  }
}
if (stray.length > 0) {
  console.error(`bundle: run-time loads of packages that are not dependencies:\n${stray.join('\n')}`);
  process.exit(1);
}
