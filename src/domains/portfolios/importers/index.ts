import { ApiError } from '../../../core/errors';
import type { TradeAssetType } from '../../../db/schema';
import { DEFAULT_MAX_ROWS, type ParsedTradesCsv } from '../csv';
import { parseBinance, parseBinanceTrades } from './binance';
import { parseDegiro, parseIbkr, parseSchwab, parseTrading212 } from './brokers';
import { parseCoinbase, parseCoinbaseAccount, parseCoinbaseFills } from './coinbase';
import { parseCoinTracking } from './cointracking';
import { type ColumnMapping, parseGeneric } from './generic';
import { parseGhostfolio } from './ghostfolio';
import { parseKrakenLedgers, parseKrakenTrades } from './kraken';
import { ledgerRows, pricer } from './normalize';
import type { BrokerParse } from './types';

export const IMPORT_FORMATS = [
  'meridian',
  'auto',
  'coinbase',
  'coinbase-fills',
  'coinbase-account',
  'binance',
  'binance-trades',
  'kraken-ledgers',
  'kraken-trades',
  'ghostfolio',
  'ibkr-flex',
  'schwab',
  'degiro',
  'trading212',
  'cointracking',
  'generic',
] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export type BrokerFormat = Exclude<ImportFormat, 'meridian' | 'auto' | 'generic'>;

const PARSERS: Record<BrokerFormat, (text: string) => BrokerParse> = {
  coinbase: parseCoinbase,
  'coinbase-fills': parseCoinbaseFills,
  'coinbase-account': parseCoinbaseAccount,
  binance: parseBinance,
  'binance-trades': parseBinanceTrades,
  'kraken-ledgers': parseKrakenLedgers,
  'kraken-trades': parseKrakenTrades,
  ghostfolio: parseGhostfolio,
  'ibkr-flex': parseIbkr,
  schwab: parseSchwab,
  degiro: parseDegiro,
  trading212: parseTrading212,
  cointracking: parseCoinTracking,
};

/** The format of a file from its first line (or JSON shape); null when it is not recognized. */
export function detectFormat(text: string): Exclude<ImportFormat, 'auto'> | null {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  if (t.startsWith('{')) return /"activities"\s*:/.test(t) ? 'ghostfolio' : null;
  const first = (t.split(/\r?\n/, 1)[0] ?? '').toLowerCase().replace(/"/g, '');
  if (
    first.startsWith('date,type,asset_type') ||
    (first.includes('asset_type') && first.includes('quantity'))
  )
    return 'meridian';
  if (first.includes('transaction type') && first.includes('quantity transacted')) return 'coinbase';
  if (first.startsWith('portfolio,trade id,product')) return 'coinbase-fills';
  if (first.startsWith('portfolio,type,') && first.includes('amount/balance unit')) return 'coinbase-account';
  if (first.includes('utc_time') && first.includes('operation')) return 'binance';
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},spot,/.test(first)) return 'binance';
  if (first.startsWith('date(utc);')) return 'binance-trades';
  if (first.startsWith('txid,refid,time,type')) return 'kraken-ledgers';
  if (first.startsWith('txid,ordertxid,pair')) return 'kraken-trades';
  if (first.includes('buy/sell') && first.includes('tradeprice')) return 'ibkr-flex';
  if (first.startsWith('date,action,symbol,description')) return 'schwab';
  if (first.startsWith('datum,tijd,valutadatum')) return 'degiro';
  if (first.startsWith('action,time,isin,ticker')) return 'trading212';
  if (first.startsWith('type,buy,cur.,sell,cur.')) return 'cointracking';
  return null;
}

/**
 * A broker file as the trades importer's rows, priced in the portfolio's currency at the
 * stored closes of each moment: rows it could not read, or could not price, are rejected with
 * their reasons, the rest go through the same dry run, all-or-nothing commit and content hash
 * as the importer's own CSV.
 */
export async function brokerRows(
  env: Env,
  format: BrokerFormat | 'generic',
  text: string,
  options: { base: string; mapping?: ColumnMapping | undefined },
): Promise<ParsedTradesCsv & { total: number }> {
  const parsed =
    format === 'generic' ? parseGeneric(text, options.mapping as ColumnMapping) : PARSERS[format](text);
  if (parsed.total > DEFAULT_MAX_ROWS) {
    throw new ApiError(
      'VALIDATION_ERROR',
      `The file has ${parsed.total} rows; an import takes at most ${DEFAULT_MAX_ROWS}`,
      {
        details: { code: 'CSV_TOO_MANY_ROWS' },
        suggestion: 'Split the file by date and import the parts in order.',
      },
    );
  }
  const defaultType: TradeAssetType = parsed.txs.every((t) => t.assetType === 'crypto')
    ? 'crypto'
    : 'us-equity';
  const prices = await pricer(env, parsed.txs, options.base);
  const { rows, rejected } = ledgerRows(parsed.txs, prices, options.base, defaultType);
  const lines = format === 'ghostfolio' ? [] : text.replace(/^\uFEFF/, '').split(/\r?\n/);
  return {
    rows,
    rejected: [
      ...parsed.rejected,
      ...rejected.map((r) => ({ ...r, raw: r.raw || (lines[r.line - 1] ?? '') })),
    ].sort((a, b) => a.line - b.line),
    warnings: parsed.warnings,
    total: parsed.total,
  };
}
