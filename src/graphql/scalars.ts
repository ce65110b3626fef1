import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

/** ISO 8601 in UTC with milliseconds, as GitLab renders `Time`. */
export const TimeScalar = builder.scalarType('Time', {
  description: 'Time represented in ISO 8601 (UTC, with milliseconds).',
  serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (typeof value !== 'string' || Number.isNaN(date.getTime())) {
      throw new GraphQLError(`${JSON.stringify(value)} is not a valid ISO 8601 time`);
    }
    return date;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Time must be a string');
    const date = new Date(ast.value);
    if (Number.isNaN(date.getTime())) throw new GraphQLError(`"${ast.value}" is not a valid ISO 8601 time`);
    return date;
  },
});
