// Empties dist/ before a build: tsc never deletes output, so renamed sources and settings that no
// longer emit (source maps, declarations) would otherwise linger and be packed.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
