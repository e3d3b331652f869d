// The package's version, for `--version` and the MCP server's `serverInfo`. Read at run time from
// package.json two folders up: true from dist/core/ and from the bundle's dist/bundle/ alike.
import { createRequire } from 'node:module';

export const packageVersion = (): string =>
  (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
