// Configuration keys follow PowerShell's rule for parameter names: case-insensitive on input
// (`RestrictDomainsToIpAddresses` is `RestrictDomainsToIPAddresses`), written back in the
// schema's own casing. A key the schema does not know is an error, never dropped: zod strips
// unknown keys, and a dropped `RejectDirectSend` silently leaves a defence off.
//
// The walk is driven by the zod schemas themselves (objects, arrays, unions, records and the
// wrappers around them), so every field any schema gains is covered without a list to maintain.
import type { z } from 'zod';

/** A key the schema does not accept; `path` leads to the key as written in the input. */
export interface KeyProblem {
  path: (string | number)[];
  message: string;
}

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: Schema[];
  discriminator?: string;
  valueType?: Schema;
  getter?: () => Schema;
}
interface Schema {
  _zod: { def: Def; propValues?: Record<string, Set<unknown>> };
}

/** Wrappers whose inner schema describes the value. */
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'success']);

/**
 * Rename every key to the schema's casing and report the keys it does not know. The returned
 * value is for the schema's own `parse`; with problems, nothing should be applied.
 */
export function normalizeKeys(schema: z.ZodType, value: unknown): { value: unknown; problems: KeyProblem[] } {
  const problems: KeyProblem[] = [];
  const normalized = walk(schema as unknown as Schema, value, [], problems);
  return { value: normalized, problems };
}

function walk(schema: Schema, value: unknown, path: (string | number)[], problems: KeyProblem[]): unknown {
  const def = schema._zod.def;
  if (WRAPPERS.has(def.type) && def.innerType) return walk(def.innerType, value, path, problems);
  switch (def.type) {
    case 'object':
      return isRecord(value) ? walkObject(def.shape ?? {}, value, path, problems) : value;
    case 'array':
      return Array.isArray(value) && def.element ? value.map((v, i) => walk(def.element!, v, [...path, i], problems)) : value;
    case 'record':
      return isRecord(value) && def.valueType ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(def.valueType!, v, [...path, k], problems)])) : value;
    case 'pipe':
      // z.preprocess(fn, schema) is transform → schema; schema.transform(fn) is schema → transform.
      return def.in?._zod.def.type === 'transform' ? walk(def.out!, value, path, problems) : walk(def.in!, value, path, problems);
    case 'union':
      return walkUnion(def, value, path, problems);
    case 'lazy':
      return walk(def.getter!(), value, path, problems);
    default:
      return value;
  }
}

function walkObject(shape: Record<string, Schema>, value: Record<string, unknown>, path: (string | number)[], problems: KeyProblem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const written = new Map<string, string>();
  for (const [key, v] of Object.entries(value)) {
    const name = canonicalKey(key, Object.keys(shape));
    if (name === undefined) {
      problems.push({ path: [...path, key], message: unknownKeyMessage(key, Object.keys(shape)) });
      continue;
    }
    const earlier = written.get(name);
    if (earlier !== undefined) {
      problems.push({ path: [...path, key], message: `'${key}' repeats '${earlier}' (keys are case-insensitive); keep one of them` });
      continue;
    }
    written.set(name, key);
    out[name] = walk(shape[name], v, [...path, key], problems);
  }
  return out;
}

/**
 * A discriminated union walks the option its discriminator selects; any other union walks
 * the option that knows the most of the value's keys (for scalars every option agrees).
 */
function walkUnion(def: Def, value: unknown, path: (string | number)[], problems: KeyProblem[]): unknown {
  const options = def.options ?? [];
  if (def.discriminator && isRecord(value)) {
    const key = Object.keys(value).find((k) => k.toLowerCase() === def.discriminator!.toLowerCase());
    const chosen = key === undefined ? undefined : options.find((o) => o._zod.propValues?.[def.discriminator!]?.has(value[key]));
    // No option matches: zod reports the discriminator itself, which is the real mistake.
    return chosen ? walk(chosen, value, path, problems) : value;
  }
  let best: { value: unknown; problems: KeyProblem[] } | undefined;
  // A scalar option would "know" every key of an object by ignoring them all.
  const candidates = isRecord(value) ? options.filter((o) => baseType(o) !== 'scalar') : options;
  for (const option of candidates) {
    const tried: KeyProblem[] = [];
    const v = walk(option, value, path, tried);
    if (!best || tried.length < best.problems.length) best = { value: v, problems: tried };
  }
  if (!best) return value;
  problems.push(...best.problems);
  return best.value;
}

/** 'scalar' for a schema that can't hold keys, through wrappers and pipes. */
function baseType(schema: Schema): string {
  const def = schema._zod.def;
  if (WRAPPERS.has(def.type) && def.innerType) return baseType(def.innerType);
  if (def.type === 'pipe') return baseType(def.in?._zod.def.type === 'transform' ? def.out! : def.in!);
  return ['object', 'record', 'union', 'lazy'].includes(def.type) ? def.type : 'scalar';
}

/** The schema's spelling of `key`: exact, else the one name equal to it ignoring case. */
function canonicalKey(key: string, names: readonly string[]): string | undefined {
  if (names.includes(key)) return key;
  const lower = key.toLowerCase();
  return names.find((n) => n.toLowerCase() === lower);
}

/** "unknown key 'X'; did you mean Y?" — or the valid keys when there are few and none is close. */
function unknownKeyMessage(key: string, names: readonly string[]): string {
  const suggestion = closestName(key, names);
  if (suggestion) return `unknown key '${key}'; did you mean ${suggestion}?`;
  if (names.length <= 12) return `unknown key '${key}'; valid keys here are ${names.join(', ')}`;
  return `unknown key '${key}'; check its spelling (postern config export shows every key) or remove it`;
}

/** The valid name nearest to `key` (edit distance, ignoring case), when it is near enough to be a typo. */
function closestName(key: string, names: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(lower, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  const allowed = Math.max(2, Math.floor(key.length / 4));
  return best && best.distance <= allowed ? best.name : undefined;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
