// The README's settings table, generated from the one table (npm run gen:docs rewrites it between
// the markers; a test fails while the README is not current).
import { SETTINGS, type Commands, type Setting } from './table.js';

export const README_START = '<!-- settings:start -->';
export const README_END = '<!-- settings:end -->';

const COMMANDS: Record<Commands, string> = {
  all: 'all',
  'mcp+serve': '`mcp`, `serve`',
  'mcp+serve+worker': '`mcp`, `serve`, `worker`',
  'mcp+worker': '`mcp`, `worker`',
  'queue-scoped': '`mcp`, `worker` and the job commands (`enqueue` … `status`)',
  serve: '`serve`',
  worker: '`worker`',
};

function cells(row: Setting<unknown>): string[] {
  const flag = row.flag ? `\`${row.flag.spec.split(' ')[0]}\`` : '';
  // A flag narrower than its variable says where it is taken (--lease: mcp and serve only).
  const where = row.flag && row.flag.commands !== row.commands ? ` (${COMMANDS[row.flag.commands]})` : '';
  return [`\`${row.env}\``, flag + where, row.defaultText, COMMANDS[row.commands], row.help];
}

/** A Markdown table of every setting, padded the way prettier pads it. */
export function settingsTable(): string {
  const rows = [
    ['variable', 'flag', 'default', 'commands', 'meaning'],
    ...Object.values(SETTINGS).map((row) => cells(row as Setting<unknown>)),
  ].map((r) => r.map((cell) => cell.replaceAll('|', '\\|')));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...r[i]!].length)));
  const line = (r: string[]) =>
    `| ${r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join(' | ')} |`;
  const [head, ...body] = rows;
  return [line(head!), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** `readme` with the text between the markers replaced by the current table. */
export function readmeWithSettings(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`README: markers ${README_START} … ${README_END} not found`);
  return `${readme.slice(0, start)}${README_START}\n\n${settingsTable()}\n\n${readme.slice(end)}`;
}
