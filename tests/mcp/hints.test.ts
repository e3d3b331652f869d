// A server words the fix of an error with the tool names it really registered: dotted names when
// it uses them, and no pointer to a tool its profile does not expose.
import { describe, expect, it } from 'vitest';
import { QueueError } from '../../src/core/errors.js';
import { errorBody, toolHints } from '../../src/mcp/errors.js';
import { PROFILES, toolName, type Profile, type ToolNaming } from '../../src/mcp/profiles.js';

const hintsFor = (naming: ToolNaming, profile: Profile) =>
  toolHints(
    (base) => toolName(naming, base),
    (base) => (PROFILES[profile] as readonly string[]).includes(base),
  );
const missing = new QueueError('not_found', 'No job with id "x". Check the id.', { hint: 'list_jobs' });

describe('MCP error hints', () => {
  it('names the list tool as this server registered it', () => {
    expect(errorBody(missing, hintsFor('snake', 'all')).error.message).toBe(
      'No job with id "x". Check the id. queue_list shows the ids of recent jobs.',
    );
    expect(errorBody(missing, hintsFor('dotted', 'operator')).error.message).toBe(
      'No job with id "x". Check the id. queue.list shows the ids of recent jobs.',
    );
  });

  it('points at no tool the profile does not expose', () => {
    expect(errorBody(missing, hintsFor('snake', 'worker')).error.message).toBe(
      'No job with id "x". Check the id.',
    );
  });
});
