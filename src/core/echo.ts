// The one helper for repeating a caller's value in an error message. A key, value or name may be
// megabytes long, and every character of an error message lands in an agent's context.

/** Longest piece of the caller's input (a key, a value, a path, a tool name) a message repeats. */
export const MAX_ECHO_CHARS = 80;

/**
 * `text` fit to repeat in a message: at most `max` characters, then "…" and the full length, so the
 * start still names it; NUL and lone surrogates escaped (they break logs and some JSON parsers).
 */
export function echo(text: string, max = MAX_ECHO_CHARS): string {
  let s = text.length > max ? text.slice(0, max) : text;
  // Never end on half of a surrogate pair that the cut split.
  if (s.length < text.length && /[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
  s = s.replace(/\0|\p{Cs}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  return text.length > max ? `${s}… (${text.length} characters)` : s;
}
