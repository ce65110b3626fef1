import { readFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';

describe('schema.graphql', () => {
  it('is what `npm run codegen` writes for the current schema (run it after changing the schema)', () => {
    // The codegen CLI's schema-ast output is the sorted schema printed by graphql-js.
    expect(readFileSync('schema.graphql', 'utf8')).toBe(printSchema(lexicographicSortSchema(schema)));
  });
});
