// The kinds of value a setting holds, as zod schemas over the raw text of a flag or environment
// variable. A failure's message is what follows "<setting>: " in the one-line error.
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { z } from 'zod';

/** "a, b,,c" -> ["a", "b", "c"] for comma-separated settings. */
export const splitList = (raw: string): string[] =>
  raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Fails the parse with `message` (the raw text is in scope for the caller to quote). */
function reject(ctx: z.RefinementCtx, raw: string, message: string): never {
  ctx.issues.push({ code: 'custom', message, input: raw });
  return z.NEVER;
}

/** A whole number from min to max. */
export const wholeNumber = (min: number, max: number) =>
  z.string().transform((raw, ctx) => {
    const res = z.coerce.number().int().min(min).max(max).safeParse(raw);
    if (res.success) return res.data;
    const why = res.error.issues[0]?.message ?? 'expected a whole number';
    return reject(ctx, raw, `"${raw}" is not valid: ${why}.`);
  });

/** One of a fixed set of words. */
export const oneOf = <const T extends readonly [string, ...string[]]>(allowed: T) =>
  z.enum(allowed, { error: (iss) => `"${String(iss.input)}" is not one of ${allowed.join(', ')}.` });

/** A comma-separated list of distinct names, each at most 64 characters and matching `pattern`. */
export const nameList = (pattern: RegExp, what: string, hint: string) =>
  z.string().transform((raw, ctx) => {
    const items = [...new Set(splitList(raw))];
    const wrong = items.find((s) => s.length > 64 || !pattern.test(s));
    return wrong === undefined ? items : reject(ctx, raw, `"${wrong}" is not a valid ${what}. ${hint}`);
  });

/** A comma-separated list kept as written. */
export const textList = () => z.string().transform(splitList);

/** A comma-separated list of browser origins: scheme and host, no path. */
export const originList = () =>
  z.string().transform((raw, ctx) => {
    const origins = splitList(raw);
    const wrong = origins.find((o) => !/^https?:\/\/[^/]+$/.test(o));
    return wrong === undefined
      ? origins
      : reject(
          ctx,
          raw,
          `"${wrong}" is not an origin such as https://app.example.com (scheme and host, no path).`,
        );
  });

/**
 * A path as people write it in a shell: a leading `~` or `~/` is the user's home (hosts pass the
 * environment verbatim, so no shell expands it). `~user` is refused rather than taken literally.
 */
export const userPath = () =>
  z.string().transform((raw, ctx) => {
    const path = expandHome(raw.trim());
    return (
      path ??
      reject(ctx, raw, `"${raw}": only ~ and ~/… are expanded (to ${homedir()}). Write the full path.`)
    );
  });

/** `~` and `~/…` -> under the home folder; other paths unchanged; `~user…` -> undefined. */
export function expandHome(path: string): string | undefined {
  if (path === '~') return homedir();
  if (path.startsWith('~/') || path.startsWith(`~${sep}`)) return join(homedir(), path.slice(2));
  return path.startsWith('~') ? undefined : path;
}

/** A TCP port; 0 asks the system for a free one. */
export const port = () =>
  z.string().transform((raw, ctx) => {
    const n = Number(raw);
    return Number.isInteger(n) && n >= 0 && n <= 65_535
      ? n
      : reject(ctx, raw, `"${raw}" is not a port number (0–65535; 0 picks a free port).`);
  });

/** A comma-separated list of distinct process exit codes (1–255), e.g. `1,2`. */
export const exitCodeList = () =>
  z.string().transform((raw, ctx) => {
    const items = splitList(raw);
    const wrong = items.find((s) => !/^\d+$/.test(s) || Number(s) < 1 || Number(s) > 255);
    return wrong === undefined
      ? [...new Set(items.map(Number))]
      : reject(ctx, raw, `"${wrong}" is not an exit code: use whole numbers from 1 to 255, e.g. 1,2.`);
  });
