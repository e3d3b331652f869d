// Request limits every surface applies (stdio lines, HTTP bodies, CLI JSON input).

/**
 * The largest MCP request accepted, as a stdio line or an HTTP body. The payload limit counts
 * `JSON.stringify` bytes, and the wire form of the same payload can be several times larger
 * (`\uXXXX` escapes), so every legal request fits with room; anything larger is refused before it
 * is parsed, in bounded memory.
 */
export const maxRequestBytes = (payloadLimitBytes: number): number =>
  Math.max(16 * 1024 * 1024, 8 * payloadLimitBytes);
