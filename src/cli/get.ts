import type { Command } from 'commander';
import { defineCommand, intArg } from './args.js';
import { globalOptions, output, scope, withQueue } from './context.js';
import { addSettingFlags } from './setting-flags.js';
import { indent } from './format.js';
import { jobDetail, timeline } from './render.js';
import type { DependencyView } from '../core/types.js';

const DEFAULT_EVENTS = 20;

export function registerGet(program: Command): void {
  addSettingFlags(defineCommand(program, 'get <id>', 'Show one job and its latest events.'), {
    command: 'get',
  })
    .option('--events <n>', `how many latest events to show, 0 for none (default ${DEFAULT_EVENTS})`, intArg)
    .option('--dependencies', 'also show the jobs it depends on, with their states and results')
    .action(async (id: string, flags: { events?: number; dependencies?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const answer = await withQueue(g, (q) =>
        q.service.get({
          jobId: id,
          events: flags.events ?? DEFAULT_EVENTS,
          ...(flags.dependencies ? { dependencies: true } : {}),
          ...scope(g),
        }),
      );
      output(g, answer, () => {
        const parts = [jobDetail(answer.job)];
        if (answer.dependencies) {
          parts.push(
            answer.dependencies.length > 0
              ? `dependencies\n${indent(answer.dependencies.map(dependencyLine).join('\n'))}`
              : 'dependencies: none',
          );
        }
        if (answer.events) {
          parts.push(
            answer.events.length > 0 ? `events\n${indent(timeline(answer.events))}` : 'events: none',
          );
        }
        return parts.join('\n');
      });
    });
}

function dependencyLine(d: DependencyView): string {
  if (d.status === null) return `${d.id}  (pruned)`;
  const result = d.resultSummary ?? (d.result === null ? '' : JSON.stringify(d.result));
  return `${d.id}  ${d.type}  ${d.status}${result ? `  ${result}` : ''}`;
}
