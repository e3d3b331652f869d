// `{{payload.a.b}}` placeholders in a command's arguments (SPEC §13). Each argument stays one
// argument whatever the value holds: no splitting, no shell, so `$(rm -rf ~)` in a payload is text.

/** A placeholder names a path the payload does not have; the job fails for good (retrying cannot help). */
export class PlaceholderError extends Error {
  constructor(readonly path: string) {
    super(`the command's placeholder {{${path}}} names nothing in the payload`);
    this.name = 'PlaceholderError';
  }
}

const PLACEHOLDER = /\{\{\s*(payload(?:\.[^\s{}.]+)*)\s*\}\}/g;

/** argv with every `{{payload.…}}` replaced by that value: strings as they are, others as JSON text. */
export function fillPlaceholders(argv: readonly string[], payload: Record<string, unknown>): string[] {
  return argv.map((arg) =>
    arg.replace(PLACEHOLDER, (_match, path: string) => valueText(lookup(payload, path), path)),
  );
}

function lookup(payload: Record<string, unknown>, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.').slice(1)) {
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      if (!/^\d+$/.test(key)) return undefined;
      value = value[Number(key)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined;
      value = (value as Record<string, unknown>)[key];
    }
  }
  return value;
}

function valueText(value: unknown, path: string): string {
  if (value === undefined) throw new PlaceholderError(path);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
