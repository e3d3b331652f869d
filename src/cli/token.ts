// `agent-queue token create|list|revoke`: bearer tokens for `serve` (SPEC §12). The secret is
// printed once, by `create`; the database keeps only its hash.
import { Option, type Command } from 'commander';
import { ROLES } from '../queue/permissions.js';
import type { TokenView } from '../queue/tokens.js';
import { defineCommand, listArg } from './args.js';
import { globalOptions, output, withQueue } from './context.js';
import { table, when } from './format.js';

interface CreateFlags {
  role: string;
  name: string;
  types?: string[];
  capabilities?: string[];
}

export function registerToken(program: Command): void {
  const token = defineCommand(
    program,
    'token',
    'Manage bearer tokens for serve: once one exists, /mcp and /api need one.',
  );

  defineCommand(token, 'create', 'Create a token and print it once (only its hash is stored).')
    .addOption(
      new Option('--role <role>', 'producer: enqueue/cancel/read; worker: claim…/read; operator: everything')
        .choices(ROLES)
        .makeOptionMandatory(),
    )
    .requiredOption('--name <name>', 'unique name; also the worker id of its MCP sessions')
    .option('--types <list>', 'worker tokens: the only job types it may claim (comma-separated)', listArg)
    .option('--capabilities <list>', 'worker tokens: the only capabilities it may claim with', listArg)
    .action(async (flags: CreateFlags, cmd: Command) => {
      const g = globalOptions(cmd);
      const created = await withQueue(g, (q) =>
        q.service.tokens.create({
          name: flags.name,
          role: flags.role,
          types: flags.types,
          capabilities: flags.capabilities,
        }),
      );
      output(g, { token: created.token, ...created.view }, () => howToUse(created.token, created.view));
    });

  defineCommand(
    token,
    'list',
    'List tokens: name, role, limits, created, last used, revoked (never the secret).',
  ).action(async (_flags: unknown, cmd: Command) => {
    const g = globalOptions(cmd);
    const tokens = await withQueue(g, (q) => q.service.tokens.list());
    output(g, { tokens }, () =>
      tokens.length === 0 ? 'no tokens: serve needs none and accepts loopback only' : tokenTable(tokens),
    );
  });

  defineCommand(token, 'revoke <name>', 'Revoke a token: serve refuses it within 5 seconds.').action(
    async (name: string, _flags: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { token: view, changed } = await withQueue(g, (q) => q.service.tokens.revoke(name));
      output(g, { token: view, changed }, () =>
        changed
          ? `revoked token "${view.name}"`
          : `token "${view.name}" was already revoked (${when(view.revokedAt)})`,
      );
    },
  );
}

function tokenTable(tokens: TokenView[]): string {
  return table(
    ['NAME', 'ROLE', 'TYPES', 'CAPABILITIES', 'CREATED', 'LAST USED', 'REVOKED'],
    tokens.map((t) => [
      t.name,
      t.role,
      t.allowedTypes?.join(',') ?? (t.role === 'worker' ? 'any' : '-'),
      t.allowedCapabilities?.join(',') ?? (t.role === 'worker' ? 'any' : '-'),
      when(t.createdAt),
      when(t.lastUsedAt) ?? 'never',
      when(t.revokedAt) ?? '-',
    ]),
  );
}

function howToUse(secret: string, view: TokenView): string {
  const limits = [
    view.allowedTypes ? `types ${view.allowedTypes.join(',')}` : null,
    view.allowedCapabilities ? `capabilities ${view.allowedCapabilities.join(',')}` : null,
  ].filter((s) => s !== null);
  const host = {
    mcpServers: {
      'agent-queue': {
        type: 'http',
        url: 'http://127.0.0.1:8787/mcp',
        headers: { Authorization: `Bearer ${secret}` },
      },
    },
  };
  return [
    `created ${view.role} token "${view.name}"${limits.length ? ` (${limits.join('; ')})` : ''}. It is shown only this once; store it now:`,
    '',
    `  ${secret}`,
    '',
    'HTTP clients send it as a header:',
    `  Authorization: Bearer ${secret}`,
    'MCP hosts (Streamable HTTP), e.g. .mcp.json; put your serve URL in place of 127.0.0.1:8787:',
    `  ${JSON.stringify(host)}`,
    'While any token exists, serve refuses requests to /mcp and /api without one.',
  ].join('\n');
}
