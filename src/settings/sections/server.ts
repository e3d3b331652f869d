// How a server presents itself: its log and the MCP tools it exposes.
import { z } from 'zod';
import { PROFILES, TOOL_NAMINGS, type Profile, type ToolNaming } from '../../mcp/profiles.js';
import { oneOf } from '../kinds.js';
import { setting } from '../setting.js';
import { LOG_LEVELS, type LogLevel } from '../types.js';

const PROFILE_NAMES = Object.keys(PROFILES) as [Profile, ...Profile[]];

export const SERVER_SETTINGS = {
  'log.level': setting<LogLevel>({
    env: 'AGENT_QUEUE_LOG_LEVEL',
    commands: 'all',
    schema: z.enum(LOG_LEVELS, { error: `use one of ${LOG_LEVELS.join(', ')}.` }),
    default: 'info',
    defaultText: '`info`',
    help: '`fatal`…`debug`, `silent`; logs go to stderr (stdout is the MCP protocol)',
  }),
  'mcp.tools': setting<Profile>({
    env: 'AGENT_QUEUE_TOOLS',
    flag: { spec: '--tools <profile>', commands: 'mcp+serve' },
    commands: 'mcp+serve',
    schema: oneOf(PROFILE_NAMES),
    default: 'all',
    defaultText: '`all`',
    help: 'tools to expose: `worker`, `producer`, `operator` or `all`',
  }),
  'mcp.toolNames': setting<ToolNaming>({
    env: 'AGENT_QUEUE_TOOL_NAMES',
    flag: { spec: '--tool-names <style>', commands: 'mcp+serve' },
    commands: 'mcp+serve',
    schema: oneOf(TOOL_NAMINGS),
    default: 'snake',
    defaultText: '`snake`',
    help: '`snake` (`queue_claim`) or `dotted` (`queue.claim`)',
  }),
};
