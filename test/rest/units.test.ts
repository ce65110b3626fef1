// The REST shim's pure pieces: Rails' to_query and CGI escaping, Kaminari's page arithmetic, GitLab's
// keyset cursor, and Grape's error grouping.
import { describe, expect, it } from 'vitest';
import { RestError } from '../../src/rest/errors.ts';
import { cgiEscape, decodeCursor, encodeNextCursor, offsetRequest, toQuery } from '../../src/rest/pagination.ts';
import { param, paginationParams, parseQuery, validateParams } from '../../src/rest/params.ts';

const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof RestError) return [error.status, error.body];
    throw error;
  }
  return null;
};

describe('to_query', () => {
  it('escapes as CGI.escape does and sorts the pairs', () => {
    expect(cgiEscape('a b/c~d*e@ü')).toBe('a+b%2Fc~d%2Ae%40%C3%BC');
    expect(toQuery({ sort: 'asc', id: 'acme/api', page: 2, flag: true, empty: null, list: ['x', 'y'], skipped: undefined })).toBe(
      'empty=&flag=true&id=acme%2Fapi&list%5B%5D=x&list%5B%5D=y&page=2&sort=asc',
    );
  });

  it('parses a query as Rack does: + is a space, the last repeated key wins, key[] collects', () => {
    expect(parseQuery('?a=1&a=2&b=x+y&c[]=1&c[]=2&d=%2F')).toEqual({ a: '2', b: 'x y', c: ['1', '2'], d: '/' });
  });
});

describe('offset pages', () => {
  it.each([
    [{ page: 1, per_page: 20 }, { page: 1, perPage: 20, first: 20, offset: 0 }],
    [{ page: 3, per_page: 7 }, { page: 3, perPage: 7, first: 7, offset: 14 }],
    [{ page: 0, per_page: 500 }, { page: 1, perPage: 100, first: 100, offset: 0 }],
    [{ page: -2, per_page: -1 }, { page: 1, perPage: 20, first: 20, offset: 0 }],
  ])('%j is %j', (params, expected) => {
    expect(offsetRequest(params)).toEqual(expected);
  });
});

describe('keyset cursors', () => {
  it('encodes GitLab\'s cursor (URL-safe Base64 with padding) and decodes it back', () => {
    expect(encodeNextCursor(42)).toBe('eyJpZCI6IjQyIiwiX2tkIjoibiJ9');
    expect(encodeNextCursor(1234)).toBe('eyJpZCI6IjEyMzQiLCJfa2QiOiJuIn0=');
    expect(decodeCursor('eyJpZCI6IjEyMzQiLCJfa2QiOiJuIn0=')).toEqual({ id: 1234, direction: 'n' });
    expect(decodeCursor('eyJpZCI6IjEyMzQiLCJfa2QiOiJuIn0')).toEqual({ id: 1234, direction: 'n' });
    expect(decodeCursor(Buffer.from('{"id":7,"_kd":"p"}').toString('base64url'))).toEqual({ id: 7, direction: 'p' });
  });

  it.each(['%%%', 'e30', 'W10=', Buffer.from('{"id":"x"}').toString('base64'), Buffer.from('{"id":"99999999999"}').toString('base64')])(
    '%s is invalid',
    (cursor) => {
      expect(errorOf(() => decodeCursor(cursor))).toEqual(cursor === 'e30' ? null : [400, { error: 'cursor is invalid' }]);
    },
  );
});

describe('Grape validation', () => {
  const specs = [
    ...paginationParams,
    param.string('order_by', { values: ['a', 'b'], default: 'a' }),
    param.integer('per_page', { default: 20, values: { min: 1, max: 20 } }),
    param.boolean('flag'),
    param.integer('needed', { required: true }),
  ];

  it('applies defaults and coercions, keeping undeclared parameters', () => {
    expect(validateParams(specs, { flag: 'On', needed: ' 1_000 ', other: 'kept' }).params).toEqual({
      page: 1,
      per_page: 20,
      order_by: 'a',
      flag: true,
      needed: 1000,
      other: 'kept',
    });
  });

  it('collects every failure, grouped by parameter in declaration order, without repeats', () => {
    expect(errorOf(() => validateParams(specs, { per_page: 'x', order_by: 'c', flag: 'maybe' }))).toEqual([
      400,
      { error: 'per_page is invalid, per_page does not have a valid value, order_by does not have a valid value, flag is invalid, needed is missing' },
    ]);
  });
});
