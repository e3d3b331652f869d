// Flags shared by `mcp` (stdio) and `serve` (HTTP): profile, naming, worker identity and scope.
// Values stay raw here; src/mcp/options.ts validates them together with their env twins.
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { loadMcpOptions, type McpFlags, type McpOptions } from '../mcp/options.js';
import { intArg } from './args.js';
import { configFrom, globalOptions } from './context.js';

export interface McpCliFlags extends McpFlags {
  lease?: number;
}

export function addMcpOptions(cmd: Command): Command {
  return cmd
    .option(
      '--tools <profile>',
      'tools to expose: worker, producer, operator or all (env AGENT_QUEUE_TOOLS; default all)',
    )
    .option(
      '--tool-names <style>',
      'snake (queue_claim) or dotted (queue.claim) (env AGENT_QUEUE_TOOL_NAMES; default snake)',
    )
    .option(
      '--worker-id <id>',
      'fixed worker id (env AGENT_QUEUE_WORKER_ID; default <host>-<client>-<random> per session)',
    )
    .option(
      '--capabilities <list>',
      'comma-separated capabilities of this worker (env AGENT_QUEUE_CAPABILITIES)',
    )
    .option(
      '--types <list>',
      'comma-separated job types this server may claim (env AGENT_QUEUE_TYPES; default any)',
    )
    .option(
      '--lease <seconds>',
      'lease for claims that do not ask for one (env AGENT_QUEUE_LEASE_SECONDS; default 600)',
      intArg,
    );
}

/** Global + MCP flags and the environment -> the queue config and the MCP options. */
export function mcpSetup(flags: McpCliFlags, cmd: Command): { config: Config; options: McpOptions } {
  const config = configFrom(globalOptions(cmd), { lease: flags.lease });
  return { config, options: loadMcpOptions(flags, config.settings.defaultLeaseSeconds) };
}
