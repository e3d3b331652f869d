import type { Command } from 'commander';
import { eventsInput } from '../queue/schemas.js';
import { defineCommand, intArg } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';
import { timeline } from './render.js';

const DEFAULT_LIMIT = eventsInput.shape.limit.parse(undefined);

export function registerEvents(program: Command): void {
  addSettingFlags(defineCommand(program, 'events <id>', "Show a job's event timeline, oldest first."), {
    command: 'events',
  })
    .option('--after <n>', 'only events with an id greater than this', intArg)
    .option('--limit <n>', `at most this many events, up to 1000 (default ${DEFAULT_LIMIT})`, intArg)
    .action(async (id: string, flags: { after?: number; limit?: number }, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) =>
        q.service.events({
          jobId: id,
          ...scope(g),
          ...(flags.after !== undefined ? { after: flags.after } : {}),
          ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
        }),
      );
      output(g, answer, () => {
        const { events } = answer;
        if (events.length === 0) return 'no events';
        const lines = [timeline(events)];
        // A full page may have more after it; say how to get it.
        const limit = flags.limit ?? DEFAULT_LIMIT;
        if (events.length === limit) {
          const more = `agent-queue events ${id} --after ${events[events.length - 1]!.id}`;
          lines.push('', `more: ${more}${flags.limit !== undefined ? ` --limit ${limit}` : ''}`);
        }
        return lines.join('\n');
      });
    });
}
