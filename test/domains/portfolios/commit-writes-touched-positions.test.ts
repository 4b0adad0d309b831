import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { derivedJson, withDerived } from '../../../src/domains/portfolios/checkpoints';
import {
  loadLedger,
  portfolioTotals,
  recordTrades,
  replayLedger,
} from '../../../src/domains/portfolios/services/ledger';
import { createPortfolio, type PortfolioRow } from '../../../src/domains/portfolios/services/portfolios';
import { deleteTrade, updateTrade } from '../../../src/domains/portfolios/services/trades';
import { signUp } from '../../helpers/users';

// Commits continue the replay from this isolate's checkpoints and write only the positions whose
// figures changed; what D1 then holds must be what a full replay of D1's own ledger gives.

/** D1's positions and cash against a full replay of the ledger read afresh from D1. */
async function expectStoredEqualsFullReplay(pf: PortfolioRow) {
  const ledger = await loadLedger(env, pf, { fresh: true });
  const full = replayLedger(ledger.positions, ledger.trades);
  for (const p of ledger.positions) {
    const { updated_at: _stored, ...stored } = derivedJson(p);
    const { updated_at: _replayed, ...replayed } = derivedJson(withDerived(p, full, p.updatedAt));
    expect(stored).toEqual(replayed);
  }
  const row = await env.DB.prepare('SELECT cash, totals, ledger_version FROM portfolios WHERE id = ?')
    .bind(pf.id)
    .first<{ cash: string; totals: string; ledger_version: number }>();
  expect(row?.cash).toBe(full.cash.toString());
  expect(JSON.parse(row?.totals ?? '{}')).toEqual(portfolioTotals(full));
  return { ledger, version: row?.ledger_version };
}

const updatedAt = async (pf: PortfolioRow, symbol: string) =>
  (await loadLedger(env, pf, { fresh: true })).positions.find((p) => p.symbol === symbol)?.updatedAt;

describe('ledger commits write what the change touches', () => {
  it('appends, back-dated edits and deletes leave D1 equal to a full replay, untouched positions unwritten, refusals changing nothing', async () => {
    const user = await signUp();
    const pf = await createPortfolio(env, user.id, { name: 'Checkpoints' });
    const a = `CKA${user.id.slice(-5).toUpperCase()}`;
    const b = `CKB${user.id.slice(-5).toUpperCase()}`;
    const trade = (type: 'buy' | 'sell', symbol: string, quantity: string, price: string, date: string) => ({
      trade_type: type,
      asset_type: 'us-equity' as const,
      symbol,
      quantity,
      price,
      fees: '0.35',
      trade_date: date,
    });
    const { trades: opening } = await recordTrades(env, pf, user.id, [
      { trade_type: 'add', asset_type: 'cash', quantity: '10000', trade_date: '2024-03-01' },
      trade('buy', a, '10', '100.10', '2024-03-01'),
      trade('buy', b, '5', '50.05', '2024-03-02'),
    ]);
    await expectStoredEqualsFullReplay(pf);
    const bStamp = await updatedAt(pf, b);

    // An append on A (from the end of the version before): B is not written.
    await recordTrades(env, pf, user.id, [trade('buy', a, '2', '110', '2024-03-05')]);
    const afterAppend = await expectStoredEqualsFullReplay(pf);
    expect(afterAppend.ledger.positions.find((p) => p.symbol === a)?.quantity).toBe('12');
    expect(await updatedAt(pf, b)).toBe(bStamp);

    // A back-dated sale beyond what was held at its date is refused and changes nothing.
    await expect(
      recordTrades(env, pf, user.id, [trade('sell', a, '11', '120', '2024-03-03')]),
    ).rejects.toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    expect((await expectStoredEqualsFullReplay(pf)).version).toBe(afterAppend.version);

    // A later sale, then back-dated edits of the first buy: one that makes the sale impossible
    // is refused; one that keeps it possible moves its realized P&L.
    await recordTrades(env, pf, user.id, [trade('sell', a, '11', '120', '2024-03-06')]);
    const firstBuy = opening[1]?.id as string;
    await expect(updateTrade(env, pf, user.id, firstBuy, { quantity: '8' })).rejects.toMatchObject({
      code: 'INSUFFICIENT_BALANCE',
    });
    const before = await expectStoredEqualsFullReplay(pf);
    await updateTrade(env, pf, user.id, firstBuy, { quantity: '9.5', price: '99.9' });
    const edited = await expectStoredEqualsFullReplay(pf);
    expect(edited.version).toBe((before.version ?? 0) + 1);
    expect(edited.ledger.positions.find((p) => p.symbol === a)?.quantity).toBe('0.5');
    expect(await updatedAt(pf, b)).toBe(bStamp);

    // Deleting B's only trade zeroes B, and leaves A as it was.
    const aStamp = await updatedAt(pf, a);
    await deleteTrade(env, pf, user.id, opening[2]?.id as string);
    const deleted = await expectStoredEqualsFullReplay(pf);
    expect(deleted.ledger.positions.find((p) => p.symbol === b)?.quantity).toBe('0');
    expect(await updatedAt(pf, a)).toBe(aStamp);
  });
});
