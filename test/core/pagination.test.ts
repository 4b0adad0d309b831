import { describe, expect, it } from 'vitest';
import { MAX_LIMIT, PaginationQuery, pageOf, paginationMeta } from '../../src/core/pagination';

describe('pagination', () => {
  it('defaults to the first 50', () => {
    expect(pageOf(PaginationQuery.parse({}))).toEqual({ limit: 50, offset: 0, page: 1 });
  });

  it('caps limit at 1000', () => {
    expect(pageOf(PaginationQuery.parse({ limit: '5000' })).limit).toBe(MAX_LIMIT);
  });

  it('turns a page into an offset, and an offset into a page', () => {
    expect(pageOf(PaginationQuery.parse({ page: '3', limit: '20' }))).toEqual({
      limit: 20,
      offset: 40,
      page: 3,
    });
    expect(pageOf(PaginationQuery.parse({ offset: '45', limit: '20' }))).toEqual({
      limit: 20,
      offset: 45,
      page: 3,
    });
  });

  it('rejects nonsense', () => {
    expect(PaginationQuery.safeParse({ limit: '0' }).success).toBe(false);
    expect(PaginationQuery.safeParse({ offset: '-1' }).success).toBe(false);
    expect(PaginationQuery.safeParse({ page: 'x' }).success).toBe(false);
  });

  it('reports totals and neighbours', () => {
    expect(paginationMeta({ limit: 50, offset: 100, page: 3 }, 150)).toEqual({
      page: 3,
      limit: 50,
      offset: 100,
      total: 150,
      total_pages: 3,
      has_next: false,
      has_prev: true,
    });
    expect(paginationMeta({ limit: 50, offset: 0, page: 1 }, 0)).toMatchObject({
      total_pages: 0,
      has_next: false,
    });
  });
});
