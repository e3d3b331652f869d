import type { Command } from 'commander';
import { openForMigration } from '../open.js';
import { globalOptions, output } from './context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Create or upgrade the database schema (also done automatically at start).')
    .action(async (_opts, cmd: Command) => {
      const g = globalOptions(cmd);
      const store = openForMigration(g.settings());
      try {
        const report = await store.migrate();
        output(g, report, () =>
          report.applied.length === 0
            ? `schema is current (version ${report.current})`
            : report.applied
                .map((m) => `applied ${String(m.version).padStart(4, '0')}_${m.name}`)
                .join('\n') + `\nschema is at version ${report.current}`,
        );
      } finally {
        await store.close();
      }
    });
}
