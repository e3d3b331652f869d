// The agent_tokens table (SPEC §12): bearer tokens, stored as the sha256 of the secret only.
import type { Codec, Row } from './codec.js';
import type { Dialect } from './dialect.js';
import type { Store, TokenRecord } from './store.js';

type TokenMethods = Pick<
  Store,
  'tokenInsert' | 'tokenByHash' | 'tokenList' | 'tokenAnyActive' | 'tokenRevoke' | 'tokenTouch'
>;

export function tokenMethods(d: Dialect): TokenMethods {
  const { db, codec: c } = d;
  return {
    async tokenInsert({ token }) {
      const result = await db
        .insertInto('agent_tokens')
        .values({
          id: token.id,
          name: token.name,
          role: token.role,
          token_hash: token.tokenHash,
          allowed_types: token.allowedTypes === null ? null : c.json(token.allowedTypes),
          allowed_capabilities: token.allowedCapabilities === null ? null : c.json(token.allowedCapabilities),
          created_at: c.time(token.createdAt),
          last_used_at: token.lastUsedAt === null ? null : c.time(token.lastUsedAt),
          revoked_at: token.revokedAt === null ? null : c.time(token.revokedAt),
        })
        // A taken name (or, with odds of 2^-256, a taken hash) inserts nothing.
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    async tokenByHash({ tokenHash }) {
      const row = await db
        .selectFrom('agent_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .executeTakeFirst();
      return row ? tokenFromRow(c, row) : null;
    },

    async tokenList() {
      const rows = await db
        .selectFrom('agent_tokens')
        .selectAll()
        .orderBy('created_at')
        .orderBy('name')
        .execute();
      return rows.map((r) => tokenFromRow(c, r));
    },

    async tokenAnyActive() {
      const row = await db
        .selectFrom('agent_tokens')
        .select('id')
        .where('revoked_at', 'is', null)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async tokenRevoke({ name, now }) {
      await db
        .updateTable('agent_tokens')
        .set({ revoked_at: c.time(now) })
        .where('name', '=', name)
        .where('revoked_at', 'is', null)
        .execute();
      const row = await db.selectFrom('agent_tokens').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? tokenFromRow(c, row) : null;
    },

    async tokenTouch({ id, now }) {
      await db
        .updateTable('agent_tokens')
        .set({ last_used_at: c.time(now) })
        .where('id', '=', id)
        .execute();
    },
  };
}

const timeOrNull = (c: Codec, v: unknown): Date | null =>
  v === null || v === undefined ? null : c.timeOut(v);
const listOrNull = (c: Codec, v: unknown): string[] | null =>
  v === null || v === undefined ? null : (c.jsonOut(v) as string[]);

function tokenFromRow(c: Codec, r: Row): TokenRecord {
  return {
    id: String(r.id),
    name: String(r.name),
    role: r.role as TokenRecord['role'],
    tokenHash: String(r.token_hash),
    allowedTypes: listOrNull(c, r.allowed_types),
    allowedCapabilities: listOrNull(c, r.allowed_capabilities),
    createdAt: c.timeOut(r.created_at),
    lastUsedAt: timeOrNull(c, r.last_used_at),
    revokedAt: timeOrNull(c, r.revoked_at),
  };
}
