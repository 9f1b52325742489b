import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { normalizeKeys } from './keys.js';

describe('configuration keys', () => {
  it('walks the object option of a union that also takes a scalar', () => {
    const schema = z.object({ limit: z.union([z.number(), z.object({ maxSize: z.number() })]) });
    expect(normalizeKeys(schema, { Limit: { MAXSIZE: 1 } })).toEqual({ value: { limit: { maxSize: 1 } }, problems: [] });
    expect(normalizeKeys(schema, { limit: { maxSise: 1 } }).problems).toEqual([{ path: ['limit', 'maxSise'], message: "unknown key 'maxSise'; did you mean maxSize?" }]);
  });

  it('lists the valid keys when none is close and there are few', () => {
    expect(normalizeKeys(z.object({ host: z.string(), port: z.number() }), { colour: 'red' }).problems[0].message).toBe("unknown key 'colour'; valid keys here are host, port");
  });
});
