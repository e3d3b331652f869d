// Bearer tokens (SPEC §12): create, list, revoke, verify. A token is `aq_` + 32 random bytes
// (base64url); only its sha256 is stored. sha256 rather than bcrypt/argon2: those slow down guessing
// of low-entropy passwords, but a 256-bit random secret cannot be guessed at any speed, and a slow
// hash would cost every request (workers call several times a minute) for nothing.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { QueueError } from '../core/errors.js';
import { uuidv7 } from '../core/ids.js';
import type { Store, TokenRecord } from '../store/store.js';
import type { Clock } from './clock.js';
import { ROLES, type Principal, type Role } from './permissions.js';

/** Recognisable in configs and by secret scanners; not part of the secret's entropy. */
export const TOKEN_PREFIX = 'aq_';
/** How long a verification (or "tokens are required") is trusted: a revoke in another process takes effect within this. */
export const TOKEN_CACHE_MS = 5_000;
/** last_used_at is written at most this often per token, so a busy worker does not write on every call. */
export const TOUCH_EVERY_MS = 60_000;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
// Anything longer is not one of ours: refused before hashing.
const MAX_SECRET_LENGTH = 200;

/** What `token list` shows: never the hash. */
export interface TokenView {
  name: string;
  role: Role;
  allowedTypes: string[] | null;
  allowedCapabilities: string[] | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface CreateTokenInput {
  name: string;
  role: string;
  types?: string[] | undefined;
  capabilities?: string[] | undefined;
}

export interface TokenOptions {
  /** Cache lifetime in ms (0: ask the database every time; tests). */
  cacheMs?: number;
}

export const hashToken = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export class TokenRegistry {
  private readonly cacheMs: number;
  private readonly verified = new Map<string, { principal: Principal | null; until: number }>();
  private required: { value: boolean; until: number } | null = null;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    opts: TokenOptions = {},
  ) {
    this.cacheMs = opts.cacheMs ?? TOKEN_CACHE_MS;
  }

  /** Creates a token; the secret is returned once and never stored. */
  async create(input: CreateTokenInput): Promise<{ token: string; view: TokenView }> {
    if (!NAME.test(input.name)) {
      throw new QueueError(
        'invalid_argument',
        `Token name "${input.name.slice(0, 100)}" is not allowed: use 1–100 letters, digits, ".", "_" or "-", starting with a letter or digit (it becomes the worker id).`,
      );
    }
    if (!(ROLES as readonly string[]).includes(input.role)) {
      throw new QueueError(
        'invalid_argument',
        `Unknown role "${input.role.slice(0, 50)}": use one of ${ROLES.join(', ')}.`,
      );
    }
    const role = input.role as Role;
    const scoped = input.types !== undefined || input.capabilities !== undefined;
    if (scoped && role !== 'worker') {
      throw new QueueError(
        'invalid_argument',
        'Types and capabilities limit what a worker may claim; only worker tokens take them. Drop --types/--capabilities, or use --role worker.',
      );
    }
    // An empty list would read as "no limit" where a claim narrows types: refused, not widened.
    if (input.types?.length === 0 || input.capabilities?.length === 0) {
      throw new QueueError(
        'invalid_argument',
        'An empty --types or --capabilities list would limit nothing: name at least one, or leave the flag out for no limit.',
      );
    }
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const record: TokenRecord = {
      id: uuidv7(),
      name: input.name,
      role,
      tokenHash: hashToken(token),
      allowedTypes: input.types ? [...new Set(input.types)] : null,
      allowedCapabilities: input.capabilities ? [...new Set(input.capabilities)] : null,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    if (!(await this.store.tokenInsert({ token: record }))) {
      throw new QueueError(
        'invalid_argument',
        `A token named "${input.name}" already exists (names stay taken after a revoke). Choose another --name; agent-queue token list shows them.`,
      );
    }
    this.required = null;
    return { token, view: tokenView(record) };
  }

  async list(): Promise<TokenView[]> {
    return (await this.store.tokenList()).map(tokenView);
  }

  /** Revokes at once in this process; other processes stop accepting it within the cache time. */
  async revoke(name: string): Promise<{ token: TokenView; changed: boolean }> {
    const now = this.clock.now();
    const record = await this.store.tokenRevoke({ name, now });
    if (!record) {
      throw new QueueError(
        'not_found',
        `No token is named "${name.slice(0, 100)}". agent-queue token list shows the names.`,
      );
    }
    this.verified.clear();
    this.required = null;
    return { token: tokenView(record), changed: record.revokedAt?.getTime() === now.getTime() };
  }

  /** Whether HTTP callers must present a token: true once any token exists that is not revoked. */
  async isRequired(): Promise<boolean> {
    const now = Date.now();
    if (this.required && this.required.until > now) return this.required.value;
    try {
      const value = await this.store.tokenAnyActive();
      this.required = { value, until: now + this.cacheMs };
      return value;
    } catch (err) {
      // Database away: keep the last answer, so a running server goes on as it was (each call then
      // answers `unavailable`); one that never knew cannot decide, and refuses with the reason.
      if (this.required) return this.required.value;
      throw err;
    }
  }

  /** The principal of a valid, unrevoked token; null for anything else. */
  async verify(secret: string): Promise<Principal | null> {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > MAX_SECRET_LENGTH) return null;
    const hash = hashToken(secret);
    const now = Date.now();
    const hit = this.verified.get(hash);
    let principal: Principal | null;
    if (hit && hit.until > now) {
      principal = hit.principal;
    } else {
      try {
        principal = await this.lookup(hash);
      } catch (err) {
        // Database away: a token verified before stays good (as the last answer); others cannot be checked.
        if (hit) return hit.principal;
        throw err;
      }
      if (this.verified.size > 10_000) this.verified.clear(); // wrong guesses must not grow it without bound
      this.verified.set(hash, { principal, until: now + this.cacheMs });
    }
    if (principal) this.touch(principal.tokenId, now);
    return principal;
  }

  // Looked up by the hash of what was presented, so the secret never meets a comparison whose
  // time depends on how much of it is right; the stored hash is then compared in constant time
  // anyway, so correctness never rests on how the database compares strings.
  private async lookup(hash: string): Promise<Principal | null> {
    const record = await this.store.tokenByHash({ tokenHash: hash });
    if (!record || record.revokedAt !== null) return null;
    const a = Buffer.from(record.tokenHash, 'hex');
    const b = Buffer.from(hash, 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    return {
      tokenId: record.id,
      name: record.name,
      role: record.role,
      allowedTypes: record.allowedTypes,
      allowedCapabilities: record.allowedCapabilities,
    };
  }

  private touch(id: string, now: number): void {
    const last = this.touched.get(id);
    if (last !== undefined && now - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    // Bookkeeping only: a failed write must not fail the request it rides on.
    this.store.tokenTouch({ id, now: this.clock.now() }).catch(() => this.touched.delete(id));
  }
}

function tokenView(r: TokenRecord): TokenView {
  return {
    name: r.name,
    role: r.role,
    allowedTypes: r.allowedTypes,
    allowedCapabilities: r.allowedCapabilities,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
  };
}
