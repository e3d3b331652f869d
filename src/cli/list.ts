import { Option, type Command } from 'commander';
import { JOB_STATUSES } from '../core/types.js';
import { defineCommand, intArg } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';
import { jobsTable } from './render.js';

interface ListFlags {
  status?: string;
  type?: string;
  claimedBy?: string;
  limit?: number;
  cursor?: string;
  full?: boolean;
}

export function registerList(program: Command): void {
  addSettingFlags(
    defineCommand(program, 'list', 'List jobs, newest first (summaries: `get` shows payload and result).'),
    { command: 'list' },
  )
    .addOption(new Option('--status <status>', 'only jobs in this status').choices(JOB_STATUSES))
    .option('--type <type>', 'only jobs of this type')
    .option('--claimed-by <worker-id>', 'only jobs claimed by this worker id')
    .option('--limit <n>', 'page size, at most 200 (default 50)', intArg)
    .option('--cursor <cursor>', 'the next-page cursor printed by the previous page')
    .option('--full', "with --json, include each job's payload and result (default: summaries)")
    .action(async (flags: ListFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const page = await withQueue(g, (q) =>
        q.service.list({
          ...scope(g),
          ...(flags.status ? { status: flags.status as (typeof JOB_STATUSES)[number] } : {}),
          ...(flags.type !== undefined ? { type: flags.type } : {}),
          ...(flags.claimedBy !== undefined ? { claimedBy: flags.claimedBy } : {}),
          ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
          ...(flags.cursor !== undefined ? { cursor: flags.cursor } : {}),
          ...(flags.full ? { full: true } : {}),
        }),
      );
      output(g, page, () => {
        if (page.jobs.length === 0) return flags.cursor ? 'no more jobs' : 'no jobs';
        const lines = [jobsTable(page.jobs)];
        if (page.nextCursor) lines.push('', `more: agent-queue list ${nextPageArgs(flags, page.nextCursor)}`);
        return lines.join('\n');
      });
    });
}

/** The command line that prints the next page: same filters, new cursor. */
function nextPageArgs(flags: ListFlags, cursor: string): string {
  const args: string[] = [];
  if (flags.status) args.push(`--status ${flags.status}`);
  if (flags.type) args.push(`--type ${flags.type}`);
  if (flags.claimedBy) args.push(`--claimed-by ${flags.claimedBy}`);
  if (flags.limit !== undefined) args.push(`--limit ${flags.limit}`);
  if (flags.full) args.push('--full');
  args.push(`--cursor ${cursor}`);
  return args.join(' ');
}
