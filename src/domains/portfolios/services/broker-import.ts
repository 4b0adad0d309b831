import { eq } from 'drizzle-orm';
import { ApiError } from '../../../core/errors';
import { db } from '../../../db/client';
import { users } from '../../../db/schema';
import { MAX_CSV_BYTES } from '../csv';
import { ColumnMapping } from '../importers/generic';
import { brokerRows, detectFormat, type ImportFormat } from '../importers/index';
import type { PortfolioRow } from './portfolios';
import { type ImportReport, importTrades } from './transfer';

/** A column mapping the user saved in their preferences (`import_mappings.<name>`). */
async function savedMapping(env: Env, userId: string, name: string): Promise<ColumnMapping> {
  const row = await db(env)
    .select({ preferences: users.preferences })
    .from(users)
    .where(eq(users.id, userId))
    .get();
  const all = (row?.preferences as { import_mappings?: Record<string, unknown> } | undefined)
    ?.import_mappings;
  const raw = all && Object.hasOwn(all, name) ? all[name] : undefined;
  if (raw === undefined) {
    throw new ApiError('VALIDATION_ERROR', `No saved column mapping named "${name}"`, {
      details: { field: 'mapping' },
      suggestion: 'Save one with PUT /api/preferences {"import_mappings": {"<name>": {"columns": {...}}}}.',
    });
  }
  const parsed = ColumnMapping.safeParse(raw);
  if (!parsed.success) {
    throw new ApiError(
      'VALIDATION_ERROR',
      `The saved mapping "${name}" is not valid: ${parsed.error.issues[0]?.message ?? ''}`,
      {
        details: {
          field: 'mapping',
          issues: parsed.error.issues.map((i) => ({ loc: i.path, msg: i.message })),
        },
      },
    );
  }
  return parsed.data;
}

/**
 * Imports a file in any supported format: Meridian's own CSV, a broker's export (detected from
 * its header, or named by `format`), or any CSV through a saved column mapping. Broker files
 * are read into ledger rows priced in the portfolio's currency, then imported with the same
 * dry run, all-or-nothing commit and content-hash idempotency.
 */
export async function importFile(
  env: Env,
  portfolio: PortfolioRow,
  userId: string,
  text: string,
  options: { dryRun: boolean; format: ImportFormat; mapping?: string | undefined },
): Promise<ImportReport & { format: ImportFormat }> {
  if (text.length > MAX_CSV_BYTES) throw new ApiError('PAYLOAD_TOO_LARGE', 'The file is over 8 MiB');
  const format: Exclude<ImportFormat, 'auto'> =
    options.format !== 'auto'
      ? options.format
      : options.mapping
        ? 'generic'
        : (detectFormat(text) ?? 'meridian');
  if (format === 'meridian')
    return { ...(await importTrades(env, portfolio, userId, text, { dryRun: options.dryRun })), format };
  if (format === 'generic' && !options.mapping) {
    throw new ApiError(
      'VALIDATION_ERROR',
      'format=generic needs mapping=<the name of a saved column mapping>',
      {
        details: { field: 'mapping' },
      },
    );
  }
  const mapping =
    format === 'generic' ? await savedMapping(env, userId, options.mapping as string) : undefined;
  const parsed = await brokerRows(env, format, text, { base: portfolio.baseCurrency, mapping });
  if (parsed.rows.length === 0 && parsed.rejected.length === 0) {
    throw new ApiError(
      'VALIDATION_ERROR',
      `Nothing in the file reads as ${format}${parsed.warnings.length ? `: ${parsed.warnings[0]}` : ''}`,
      {
        details: { field: 'format', warnings: parsed.warnings.slice(0, 20) },
      },
    );
  }
  return {
    ...(await importTrades(env, portfolio, userId, text, { dryRun: options.dryRun, parsed })),
    format,
  };
}
