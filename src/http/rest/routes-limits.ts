// Concurrency-key limits over REST (SPEC §16): an operator's setting, like the fleet pause. A key
// travels in the path URL-encoded, since keys hold ':' and '/' (repo:acme/api → repo%3Aacme%2Fapi).
// There is no MCP tool for limits: they are configuration, not something an agent does per job.
import { z } from 'zod';
import * as S from '../../queue/schemas.js';
import type { RestRoute } from './route.js';
import { actedBy } from './caller.js';

const LIMITS = '/api/limits';

const limit = z.looseObject({
  key: z.string(),
  max: z.number(),
  isDefault: z.boolean(),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
const change = { limit, previousMax: z.number() };

export const LIMIT_ROUTES: RestRoute[] = [
  {
    method: 'GET',
    path: LIMITS,
    operationId: 'limitList',
    summary:
      'Concurrency keys with a limit of their own or with queued or running jobs: max, running, queued (defaultMax for the rest).',
    permission: 'read',
    output: z.looseObject({
      defaultMax: z.number(),
      keys: z.array(limit.extend({ running: z.number(), queued: z.number() })),
    }),
    handler: ({ service }) => service.limits.list(),
  },
  {
    method: 'PUT',
    path: `${LIMITS}/{key}`,
    operationId: 'limitSet',
    summary:
      "Set a concurrency key's limit {max}: at most max of its jobs run at once; 0 holds the key. Raising it wakes waiting claimers.",
    permission: 'operate',
    input: S.limitSetInput,
    output: z.looseObject(change),
    handler: ({ service, input, c }) => service.limits.set(actedBy(c, input, 'updatedBy') as S.LimitSetInput),
  },
  {
    method: 'DELETE',
    path: `${LIMITS}/{key}`,
    operationId: 'limitRemove',
    summary:
      "Remove a concurrency key's own limit: the default applies again (removed: false if it had none).",
    permission: 'operate',
    input: S.limitRemoveInput,
    output: z.looseObject({ ...change, removed: z.boolean() }),
    handler: ({ service, input }) => service.limits.remove(input as S.LimitRemoveInput),
  },
];
