import type { TradeAssetType } from '../../../db/schema';

/** An amount in a currency or asset (a fee, a deposit). Amounts are exact decimal strings. */
export interface Money {
  amount: string;
  currency: string;
}

interface Base {
  /** 1-based line (or activity number for JSON) the transaction comes from. */
  line: number;
  /** ISO date or date-time (UTC). */
  date: string;
  /** Where it came from: the export's id or a short description. */
  ref?: string | undefined;
  assetType?: TradeAssetType | undefined;
}

/**
 * What a broker export says happened, before it is priced in the portfolio's currency: a trade
 * of `symbol` against `quote` (a currency or another asset: a crypto-to-crypto trade), cash in
 * or out, units moved between the user's own accounts, income in kind, a cash dividend, a
 * standalone fee or a split.
 */
export type ImportTx = Base &
  (
    | {
        kind: 'trade';
        side: 'buy' | 'sell';
        symbol: string;
        quantity: string;
        quote: string;
        total: string;
        fee?: Money | undefined;
      }
    | { kind: 'cash'; direction: 'in' | 'out'; amount: string; currency: string; fee?: Money | undefined }
    | { kind: 'transfer'; direction: 'in' | 'out'; symbol: string; quantity: string; fee?: Money | undefined }
    | { kind: 'income'; symbol: string; quantity: string }
    | { kind: 'dividend'; symbol: string; amount: string; currency: string; fee?: Money | undefined }
    | { kind: 'fee'; amount: string; currency: string }
    | { kind: 'split'; symbol: string; ratio: string }
  );

export interface RowProblem {
  line: number;
  raw: string;
  reasons: string[];
}

export interface BrokerParse {
  txs: ImportTx[];
  rejected: RowProblem[];
  warnings: string[];
  /** Data rows (or activities) in the file. */
  total: number;
}

/** A parse with nothing in it yet (what an empty file gives). */
export const emptyParse = (): BrokerParse => ({ txs: [], rejected: [], warnings: [], total: 0 });

export type BrokerParser = (text: string) => BrokerParse;
