// The JSON Schemas a host sees at tools/list, built from our zod shapes and kept lean: every byte
// is in the context of every agent that lists the tools.
import { z } from 'zod';

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Emitted as JSON Schema 2020-12 without `$schema`: MCP 2025-11-25 makes 2020-12 the default for a
 * schema without one, and the keywords left after compacting (type, properties, required, items,
 * enum, minimum/maximum, pattern, format, additionalProperties) mean the same in draft-07, which
 * older hosts (and the SDK's own client validator) assume. No `$ref`/`$defs`: their spelling differs.
 *
 * Input objects are strict (`additionalProperties: false`, as the service refuses unknown fields);
 * output objects are open (answers may grow), said by leaving `additionalProperties` out.
 */
export function toolJsonSchema(shape: z.ZodRawShape, direction: 'input' | 'output'): Node {
  const object = direction === 'input' ? z.strictObject(shape) : z.looseObject(shape);
  const { $schema: _dialect, ...schema } = z.toJSONSchema(object, { target: 'draft-2020-12', io: 'input' });
  const lean = compact(schema, true) as Node;
  // Every field an output schema names is in every answer; saying so per tool tells an agent nothing.
  if (direction === 'output') delete lean.required;
  return lean;
}

/**
 * Leaves out what costs bytes and tells an agent nothing it acts on. The service's parse stays the
 * authority and refuses with a message naming the limit, so a schema that omits a limit is looser,
 * never wrong: string lengths, array sizes and numeric bounds of 10,000 or more (no real call comes
 * near them: priority ±1,000,000, a lease of a day, a delay of a year), a minimum of 0 (no call sends
 * a negative count, duration or percentage), `default` (each
 * description says its default where it matters), an empty `additionalProperties` (open is the
 * default), an empty nested `properties`, and `type` next to an `enum` (the values say it). "X or null" becomes one schema.
 */
const FAR = 10_000;

function compact(value: unknown, root = false): unknown {
  if (Array.isArray(value)) return value.map((v) => compact(v));
  if (!isNode(value)) return value;
  const out: Node = {};
  for (const [key, v] of Object.entries(value)) {
    if (['minLength', 'maxLength', 'minItems', 'maxItems', 'default'].includes(key)) continue;
    if ((key === 'minimum' || key === 'maximum') && typeof v === 'number' && Math.abs(v) >= FAR) continue;
    if (key === 'minimum' && v === 0) continue;
    const empty = isNode(v) && Object.keys(v).length === 0;
    // Hosts expect `properties` on the tool's own schema, even an empty one; nested, it says nothing.
    if (empty && (key === 'additionalProperties' || key === 'items' || (key === 'properties' && !root)))
      continue;
    out[key] = compact(v);
  }
  if (Array.isArray(out.enum)) delete out.type;
  return nullable(out);
}

/** `anyOf: [A, {type: "null"}]` as A that also admits null. */
function nullable(node: Node): Node {
  const options = node.anyOf;
  if (!Array.isArray(options) || options.length !== 2) return node;
  const [a, b] = options as unknown[];
  if (!isNode(a) || !isNode(b) || b.type !== 'null' || Object.keys(b).length !== 1) return node;
  const { anyOf: _options, ...rest } = node;
  if (Array.isArray(a.enum)) return { ...rest, ...a, enum: [...(a.enum as unknown[]), null] };
  if (typeof a.type === 'string') return { ...rest, ...a, type: [a.type, 'null'] };
  return node;
}
