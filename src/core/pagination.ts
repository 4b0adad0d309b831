import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';

export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 50;

/**
 * limit/offset, or page (1-based) where a seed pages. `limit` above the cap is lowered to
 * it, and the effective limit is reported back, so a client asking for everything still
 * gets a correct, bounded page.
 */
export const PaginationQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({
      description: `Items per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}).`,
      example: 50,
    }),
  offset: z.coerce.number().int().min(0).optional().openapi({ description: 'Items to skip.', example: 0 }),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: 'Page number from 1; overrides offset.', example: 1 }),
});

export type PaginationInput = z.infer<typeof PaginationQuery>;

export interface Page {
  limit: number;
  offset: number;
  page: number;
}

export const PaginationMetaSchema = z
  .object({
    page: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    total: z.number().int(),
    total_pages: z.number().int(),
    has_next: z.boolean(),
    has_prev: z.boolean(),
  })
  .openapi('Pagination');

export type PaginationMeta = z.infer<typeof PaginationMetaSchema>;

/** The page a query asks for, with the limit capped and page turned into an offset. */
export function pageOf(input: PaginationInput): Page {
  const limit = Math.min(input.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  if (input.page !== undefined) return { limit, offset: (input.page - 1) * limit, page: input.page };
  const offset = input.offset ?? 0;
  return { limit, offset, page: Math.floor(offset / limit) + 1 };
}

export function paginationMeta(page: Page, total: number): PaginationMeta {
  return {
    page: page.page,
    limit: page.limit,
    offset: page.offset,
    total,
    total_pages: Math.ceil(total / page.limit),
    has_next: page.offset + page.limit < total,
    has_prev: page.offset > 0,
  };
}

/**
 * Totals for plain-body lists, whose seeds show bare arrays: `X-Total-Count` and an RFC 8288
 * `Link` header with next and prev pages.
 */
export function setPaginationHeaders(c: Context, meta: PaginationMeta): void {
  c.header('X-Total-Count', String(meta.total));
  const links: string[] = [];
  const link = (offset: number, rel: string) => {
    const url = new URL(c.req.url);
    url.searchParams.delete('page');
    url.searchParams.set('limit', String(meta.limit));
    url.searchParams.set('offset', String(offset));
    links.push(`<${url.pathname}${url.search}>; rel="${rel}"`);
  };
  if (meta.has_next) link(meta.offset + meta.limit, 'next');
  if (meta.has_prev) link(Math.max(0, meta.offset - meta.limit), 'prev');
  if (links.length) c.header('Link', links.join(', '));
}
