// npm run gen:sql — regenerates the PostgreSQL claim pick (agent_queue_pick) from the candidate
// query in src/store/claim.ts. When the newest migration defining it holds other text, writes the
// next numbered migration (and its empty SQLite twin, so both dialects keep the same steps).
// Runs on the build (dist/), so `npm run gen:sql` builds first.
import { existsSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pickMigration } from '../dist/store/claim-sql.js';

const m = pickMigration();
if (m.upToDate) {
  console.log(
    `agent_queue_pick is up to date (migration ${String(m.newest.version).padStart(4, '0')}_${m.newest.name})`,
  );
} else {
  for (const f of m.next.files) {
    if (existsSync(f.path)) throw new Error(`${f.path} exists already`);
    writeFileSync(f.path, f.text);
    console.log(`wrote ${relative(process.cwd(), f.path)}`);
  }
}
