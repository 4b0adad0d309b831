import { eq } from 'drizzle-orm';
import { dayNumber, dayString } from '../../core/dates';
import { marketDate, marketNow } from '../../core/market-clock';
import { db } from '../../db/client';
import { portfolios } from '../../db/schema';
import {
  betaAlpha,
  correlationMatrix,
  historicalVar,
  maxDrawdown,
  sharpeRatio,
  simpleReturns,
  sortinoRatio,
  stdDev,
  stressTest,
} from '../../quant';
import { catalogAssetId } from '../assets/catalog';
import { resolveAsset } from '../assets/service';
import { ledgerState, loadLedger } from '../portfolios/services/ledger';
import { performanceOf, type ValuationPoint } from '../portfolios/services/performance';
import { portfolioPerformance } from '../portfolios/services/summary';
import { closedBars } from './market';
import { botAccount } from './runner';
import { type BotRow, getOwnedBot, listBots } from './service';

const DAY = 86_400_000;
const round = (x: number, d = 6) => Math.round(x * 10 ** d) / 10 ** d;
const iso = (t: number) => new Date(t).toISOString();

async function botsOf(env: Env, userId: string, botId?: string): Promise<BotRow[]> {
  return botId ? [await getOwnedBot(env, userId, botId)] : listBots(env, userId);
}

async function portfolioOf(env: Env, bot: BotRow) {
  const p = await db(env).select().from(portfolios).where(eq(portfolios.id, bot.portfolioId)).get();
  if (!p) throw new Error(`Bot ${bot.id} has no portfolio`);
  return p;
}

/** Realized P&L of each bot sale (weighted average cost, fees included), from the bot's ledger. */
async function botSales(env: Env, bot: BotRow, since?: string): Promise<number[]> {
  const ledger = await loadLedger(env, await portfolioOf(env, bot));
  const botTrades = new Set(ledger.trades.filter((t) => t.botId === bot.id).map((t) => t.id));
  return ledgerState(ledger)
    .realizations.filter((r) => botTrades.has(r.entryId) && (!since || r.date >= since))
    .map((r) => r.wac.pnl.toNumber());
}

/** 002's analytics summary over the user's bots: counts, fills, P&L at current quotes, win rate. */
export async function analyticsSummary(env: Env, userId: string) {
  const [bots, now] = await Promise.all([listBots(env, userId), marketNow(env)]);
  const rows = await Promise.all(
    bots.map(async (bot) => {
      const [{ account, value }, sales, ledger] = await Promise.all([
        botAccount(env, bot),
        botSales(env, bot),
        portfolioOf(env, bot).then((p) => loadLedger(env, p)),
      ]);
      const price = value.positions.find((p) => p.position.assetId === bot.assetId)?.price ?? 0;
      const equity = account.cash + account.qty * price;
      const fills = ledger.trades.filter(
        (t) => t.botId === bot.id && (t.tradeType === 'buy' || t.tradeType === 'sell'),
      ).length;
      return { bot, pnl: equity - bot.initialBalance, sales, fills };
    }),
  );
  const sales = rows.flatMap((r) => r.sales);
  const best = [...rows].sort((a, b) => b.pnl - a.pnl)[0];
  return {
    totalBots: bots.length,
    activeBots: bots.filter((b) => b.status === 'running').length,
    totalTrades: rows.reduce((s, r) => s + r.fills, 0),
    totalPnL: round(
      rows.reduce((s, r) => s + r.pnl, 0),
      2,
    ),
    winRate: sales.length ? round(sales.filter((x) => x > 0).length / sales.length, 4) : null,
    bestPerformingBot: best ? { id: best.bot.id, name: best.bot.name, pnl: round(best.pnl, 2) } : null,
    method:
      'P&L = equity at current quotes − starting balance per bot; trades = bot fills in the ledger; win rate = share of bot sales with positive realized P&L (weighted average cost, fees included)',
    asOf: iso(now),
  };
}

const PERIOD_DAYS = { '1d': 1, '7d': 7, '30d': 30, '90d': 90 } as const;
export type Period = keyof typeof PERIOD_DAYS;

/**
 * Performance of one bot or all of them over a period: the bots' paper portfolios valued
 * daily (closes, the ledger replayed), summed by day; time-weighted daily returns (the
 * starting deposits are flows, not gains).
 */
export async function analyticsPerformance(
  env: Env,
  userId: string,
  q: { botId?: string | undefined; period: Period },
) {
  const [bots, now] = await Promise.all([botsOf(env, userId, q.botId), marketNow(env)]);
  const to = marketDate(now);
  const from = dayString(dayNumber(to) - PERIOD_DAYS[q.period]);
  const byDay = new Map<string, ValuationPoint>();
  for (const bot of bots) {
    const report = await portfolioPerformance(env, await portfolioOf(env, bot), { from, to });
    for (const p of report.points) {
      const cur = byDay.get(p.date);
      byDay.set(
        p.date,
        cur
          ? {
              ...cur,
              value: cur.value + p.value,
              cash: cur.cash + p.cash,
              invested: cur.invested + p.invested,
              costBasis: cur.costBasis + p.costBasis,
              flow: cur.flow + p.flow,
              filled: cur.filled + p.filled,
            }
          : { ...p },
      );
    }
  }
  const points = [...byDay.values()].sort((a, b) => (a.date < b.date ? -1 : 1));
  const perf = performanceOf(points);
  const sales = (await Promise.all(bots.map((b) => botSales(env, b, from)))).flat();
  const gains = sales.filter((x) => x > 0).reduce((s, x) => s + x, 0);
  const losses = -sales.filter((x) => x < 0).reduce((s, x) => s + x, 0);
  return {
    sharpeRatio: perf.sharpe_ratio === null ? null : round(perf.sharpe_ratio, 4),
    sortinoRatio:
      perf.dailyReturns.length > 1
        ? nullRound(sortinoRatio(perf.dailyReturns, { periodsPerYear: 365 }))
        : null,
    maxDrawdown: perf.max_drawdown === null ? null : round(-perf.max_drawdown * 100, 4),
    winRate: sales.length ? round(sales.filter((x) => x > 0).length / sales.length, 4) : null,
    profitFactor: losses > 0 ? round(gains / losses, 4) : null,
    totalReturn: perf.time_weighted_return === null ? null : round(perf.time_weighted_return * 100, 4),
    volatility: perf.volatility_annualized === null ? null : round(perf.volatility_annualized, 6),
    botId: q.botId ?? null,
    period: q.period,
    from,
    to,
    dataPoints: points.length,
    method:
      'Daily valuations of the bots’ paper ledgers at closes; time-weighted daily returns; Sharpe and Sortino annualized by 365 (risk-free 0, sample sd); max drawdown of the wealth index in percent (negative); volatility annualized; win rate and profit factor over bot sales in the period',
    asOf: iso(now),
  };
}

const nullRound = (x: number | null) => (x === null ? null : round(x, 4));

/** Historical windows replayed by the stress test (real moves in the shipped daily history). */
export const STRESS_WINDOWS = [
  { name: 'covid_crash_2020', from: '2020-03-05', to: '2020-03-16' },
  { name: 'luna_collapse_2022', from: '2022-05-05', to: '2022-05-12' },
  { name: 'ftx_collapse_2022', from: '2022-11-06', to: '2022-11-09' },
] as const;

/**
 * Risk of the user's bot positions now: current weights (positions at current quotes / total
 * equity) applied to each held asset's daily returns over the last 365 days (historical
 * simulation), VaR/ES at 95% one day in money, volatility, beta to BTC, the correlation matrix
 * of the held assets, and stress tests replaying real historical windows.
 */
export async function riskAnalytics(env: Env, userId: string) {
  const [bots, now] = await Promise.all([listBots(env, userId), marketNow(env)]);
  const held = new Map<string, number>();
  let equity = 0;
  for (const bot of bots) {
    const { account, value } = await botAccount(env, bot);
    const price = value.positions.find((p) => p.position.assetId === bot.assetId)?.price ?? 0;
    equity += account.cash + account.qty * price;
    if (account.qty > 0) held.set(bot.assetId, (held.get(bot.assetId) ?? 0) + account.qty * price);
  }
  const exposure = [...held.values()].reduce((s, v) => s + v, 0);
  const window = { start: now - 366 * DAY, now };
  const btcId = catalogAssetId('BTC');
  const ids = [...new Set([...held.keys(), btcId])];
  const closes = new Map<string, Map<number, number>>();
  for (const id of ids) {
    const asset = await resolveAsset(env, id).catch(() => null);
    if (!asset) continue;
    const bars = await closedBars(env, asset, '1d', window);
    closes.set(id, new Map(bars.map((b) => [b.openTime, b.close])));
  }
  // Days every series has (crypto trades daily; equities would leave gaps).
  const days = [...(closes.get(ids[0] ?? '') ?? new Map()).keys()]
    .filter((t) => ids.every((id) => closes.get(id)?.has(t)))
    .sort((a, b) => a - b);
  const series = (id: string) => simpleReturns(days.map((t) => closes.get(id)?.get(t) ?? Number.NaN));
  const heldIds = [...held.keys()];
  const weights = heldIds.map((id) => (equity > 0 ? (held.get(id) ?? 0) / equity : 0));
  const assetReturns = heldIds.map(series);
  const n = days.length - 1;
  const portfolio = new Float64Array(Math.max(0, n));
  for (let t = 0; t < n; t++)
    portfolio[t] = assetReturns.reduce((s, r, i) => s + (weights[i] ?? 0) * (r[t] ?? 0), 0);
  const v = heldIds.length && n > 1 ? historicalVar(portfolio, { confidence: 0.95 }) : null;
  const btc = closes.has(btcId) && n > 1 ? series(btcId) : null;
  const beta = btc && heldIds.length ? betaAlpha(portfolio, btc, { periodsPerYear: 365 }) : null;
  const sd = n > 1 && heldIds.length ? stdDev(portfolio) : null;
  const corr = heldIds.length > 0 && n > 1 ? correlationMatrix(assetReturns) : null;
  const symbols = await Promise.all(heldIds.map(async (id) => (await resolveAsset(env, id)).symbol));
  const correlation: Record<string, Record<string, number | null>> = {};
  symbols.forEach((a, i) => {
    correlation[a] = {};
    symbols.forEach((b, j) => {
      const x = corr?.[i]?.[j];
      (correlation[a] as Record<string, number | null>)[b] =
        x === undefined || x === null ? null : round(x, 6);
    });
  });
  const stress: Record<string, { return: number | null; pnl: number | null; from: string; to: string }> = {};
  for (const w of STRESS_WINDOWS) {
    const start = Date.parse(`${w.from}T00:00:00Z`);
    const end = Date.parse(`${w.to}T00:00:00Z`);
    if (!heldIds.length) {
      stress[w.name] = { return: 0, pnl: 0, from: w.from, to: w.to };
      continue;
    }
    const paths: number[][] = [];
    for (const id of heldIds) {
      const asset = await resolveAsset(env, id);
      const bars = await closedBars(env, asset, '1d', { start, end, now });
      paths.push(bars.map((b) => b.close));
    }
    const len = Math.min(...paths.map((p) => p.length));
    if (len < 2) {
      stress[w.name] = { return: null, pnl: null, from: w.from, to: w.to };
      continue;
    }
    const r = stressTest(
      weights,
      paths.map((p) => simpleReturns(p.slice(0, len))),
      { portfolioValue: equity },
    );
    stress[w.name] = {
      return: round(r.cumulativeReturn * 100, 4),
      pnl: round(r.pnl, 2),
      from: w.from,
      to: w.to,
    };
  }
  const equityPoints: number[] = [];
  for (const bot of bots) {
    const report = await portfolioPerformance(env, await portfolioOf(env, bot), {
      from: dayString(dayNumber(marketDate(now)) - 365),
      to: marketDate(now),
    });
    report.points.forEach((p, i) => {
      equityPoints[i] = (equityPoints[i] ?? 0) + p.value;
    });
  }
  const dd = equityPoints.length > 1 && equityPoints.every((x) => x > 0) ? maxDrawdown(equityPoints) : null;
  const eqReturns =
    equityPoints.length > 2 && equityPoints.every((x) => x > 0) ? simpleReturns(equityPoints) : null;
  return {
    equity: round(equity, 2),
    totalExposure: round(exposure, 2),
    valueAtRisk: v ? round(v.overlapping.var * equity, 2) : 0,
    expectedShortfall: v ? round(v.overlapping.es * equity, 2) : 0,
    portfolioVolatility: sd === null ? 0 : round(sd * Math.sqrt(365), 6),
    beta: beta ? nullRound(beta.beta) : null,
    maxDrawdown: dd ? round(dd.maxDrawdown, 6) : 0,
    sharpeRatio: eqReturns ? nullRound(sharpeRatio(eqReturns, { periodsPerYear: 365 })) : null,
    correlationMatrix: correlation,
    stressTestResults: stress,
    method: {
      valueAtRisk:
        'Historical simulation, 95%, 1 day: current weights × each held asset’s daily returns over the window; money = fraction × equity',
      expectedShortfall: 'Mean loss beyond the 95% VaR, same sample',
      volatility: 'Sample sd of the simulated daily returns × √365',
      beta: 'Simulated portfolio daily returns on BTC’s (OLS)',
      maxDrawdown: 'Largest fall of the bots’ summed daily valuations over 365 days, a fraction',
      sharpeRatio: 'Daily returns of the summed valuations (flows included), annualized by 365, risk-free 0',
      stressTest:
        'Current weights, buy and hold, replayed over real historical windows of the shipped daily closes',
    },
    window: {
      from: days[0] ? iso(days[0]) : null,
      to: days.at(-1) ? iso(days.at(-1) as number) : null,
      dataPoints: Math.max(0, n),
    },
    timestamp: iso(now),
  };
}
