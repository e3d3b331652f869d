// Size in bytes of the tools/list answer (the JSON `result` as sent on the wire) per profile, next to
// its budget (TOOLS_LIST_BUDGETS, which tests/mcp/schemas.test.ts enforces).
// Run after `npm run build`: node bench/tools-list-size.mjs
import { TOOLS_LIST_BUDGETS } from '../dist/mcp/tools-list.js';
import { connect, throwawayDatabase } from './lib.mjs';

const db = await throwawayDatabase('sqlite');
const rows = [];
try {
  for (const [profile, naming] of [
    ['worker', 'snake'],
    ['producer', 'snake'],
    ['operator', 'snake'],
    ['all', 'dotted'],
  ]) {
    let bytes = 0;
    const client = await connect(db.env, ['--tools', profile, '--tool-names', naming], (message) => {
      if (message.result && Array.isArray(message.result.tools))
        bytes = Buffer.byteLength(JSON.stringify(message.result));
    });
    const { tools } = await client.listTools();
    await client.close();
    rows.push({
      profile: naming === 'dotted' ? `${profile} (dotted)` : profile,
      tools: tools.length,
      bytes,
      budget: TOOLS_LIST_BUDGETS[profile] ?? null,
    });
  }
} finally {
  await db.drop();
}
console.table(rows);
console.log(JSON.stringify(rows));
