// Who a REST call is made by, when tokens are on: the token decides the worker id, the job types and
// capabilities a claim may take, and the actor recorded for enqueue, cancel, pause and resume. A body
// that names another worker or actor is overridden, not trusted (the same rule the MCP sessions follow).
import type { Context } from 'hono';
import type { ClaimOptions } from '../../queue/claim.js';
import { claimScope, type Principal } from '../../queue/permissions.js';
import type { ClaimInput } from '../../queue/schemas.js';
import { principalOf } from '../auth.js';

type Input = Record<string, unknown>;

/** The input with the caller's token name as `field` (createdBy, requestedBy, updatedBy); as is without tokens. */
export function actedBy(c: Context, input: Input, field: 'createdBy' | 'requestedBy' | 'updatedBy'): Input {
  const caller = principalOf(c);
  return caller ? { ...input, [field]: caller.name } : input;
}

/**
 * A claim within serve's --types and, with a token, as the token allows it: its name as worker id,
 * its types and capabilities only (the same rule as an MCP session's, claimScope).
 */
export function claimAs(
  c: Context,
  input: Input,
  serverTypes: string[] | undefined,
): { input: ClaimInput; scope: Pick<ClaimOptions, 'allowedTypes'> } {
  const caller: Principal | null = principalOf(c);
  const asked = Array.isArray(input.capabilities) ? (input.capabilities as string[]) : [];
  const { types, capabilities } = claimScope(serverTypes, asked, caller);
  const claim = caller ? { ...input, workerId: caller.name, capabilities } : input;
  return { input: claim as ClaimInput, scope: types ? { allowedTypes: types } : {} };
}
