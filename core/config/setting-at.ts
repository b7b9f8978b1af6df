import type { z } from 'zod';

type AnySchema = z.core.$ZodType;

/** The wrappers a setting may sit in (`.optional()`, `.default()`, …): each holds one inner schema. */
const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** Every layer of one setting's schema, outermost first: the wrappers, then what they wrap. */
export function settingLayers(schema: AnySchema): AnySchema[] {
  const layers: AnySchema[] = [schema];
  for (;;) {
    const def = layers[layers.length - 1]!._zod.def as unknown as {
      type: string;
      innerType?: AnySchema;
      in?: AnySchema;
    };
    const inner = WRAPPERS.has(def.type) ? def.innerType : def.type === 'pipe' ? def.in : undefined;
    if (!inner) return layers;
    layers.push(inner);
  }
}

/**
 * The schema of the setting at `path` inside an object schema (its layers, outermost first), or
 * undefined when no setting lives there. Array items are one setting with their array.
 */
export function settingAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema[] | undefined {
  let layers = settingLayers(root);
  for (const key of path) {
    const inner = layers[layers.length - 1]!._zod.def as unknown as {
      type: string;
      shape?: Record<string, AnySchema>;
    };
    if (inner.type === 'array' && typeof key === 'number') continue;
    const next = inner.type === 'object' ? inner.shape?.[String(key)] : undefined;
    if (!next) return undefined;
    layers = settingLayers(next);
  }
  return layers;
}

/** The keys an object setting at `path` accepts (empty if it is not an object). */
export function keysAt(root: AnySchema, path: readonly PropertyKey[]): string[] {
  const inner = settingAt(root, path)?.at(-1)?._zod.def as unknown as
    { type: string; shape?: Record<string, AnySchema> } | undefined;
  return inner?.type === 'object' && inner.shape ? Object.keys(inner.shape) : [];
}
