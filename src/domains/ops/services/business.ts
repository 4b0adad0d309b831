import { round2 } from '../../../core/telemetry';
import { eventsUntil, type SubscriptionEvent } from './billing';

/**
 * Business metrics from the real tables: `users` and `user_activities` (signups, actives,
 * cohorts, acquisition), `trades` with their portfolio's mode (activity by surface, bot,
 * asset), and `subscription_events` priced with the admins' plan prices (MRR, ARR, churn,
 * revenue). All in wall time (UTC): when things happened in our system.
 */

const DAY = 86_400_000;

export const REVENUE_METHOD =
  'Subscription revenue accrues daily: each day a user is on a paid tier adds monthly price × 12 / 365 (the price recorded on the tier change). MRR = Σ monthly prices of users on a paid tier at the instant; ARR = 12 × MRR; churn = paying users at the start who cancelled (moved to a free tier) in the period ÷ paying users at the start. Meridian charges no trading fees (trades are paper or tracked), so trading_fee_revenue is 0.';

function iso(t: number): string {
  return new Date(t).toISOString();
}

function dayStart(t: number): number {
  return Math.floor(t / DAY) * DAY;
}

/** Each user's price segments [from, to) from their events (before the first event: free). */
function segments(events: SubscriptionEvent[], until: number) {
  const byUser = new Map<string, SubscriptionEvent[]>();
  for (const e of events) byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e]);
  const out: { userId: string; tier: string; price: number; from: number; to: number }[] = [];
  for (const [userId, list] of byUser) {
    list.forEach((e, i) => {
      const next = list[i + 1];
      out.push({
        userId,
        tier: e.toTier,
        price: e.monthlyPrice,
        from: Date.parse(e.occurredAt),
        to: next ? Date.parse(next.occurredAt) : until,
      });
    });
  }
  return out;
}

function mrrAt(segs: ReturnType<typeof segments>, t: number) {
  let mrr = 0;
  let paying = 0;
  const byTier: Record<string, { users: number; mrr: number }> = {};
  for (const s of segs) {
    if (s.from <= t && t < s.to && s.price > 0) {
      mrr += s.price;
      paying++;
      const e = byTier[s.tier] ?? { users: 0, mrr: 0 };
      e.users++;
      e.mrr += s.price;
      byTier[s.tier] = e;
    }
  }
  return { mrr: round2(mrr), paying, byTier };
}

function accrued(segs: ReturnType<typeof segments>, start: number, end: number): number {
  let total = 0;
  for (const s of segs) {
    const overlap = Math.min(end, s.to) - Math.max(start, s.from);
    if (overlap > 0 && s.price > 0) total += ((s.price * 12) / 365) * (overlap / DAY);
  }
  return total;
}

export async function revenueMetrics(env: Env, start: number, end: number) {
  const events = await eventsUntil(env, iso(end));
  const segs = segments(events, end + 1);
  const atEnd = mrrAt(segs, end);
  const atStart = mrrAt(segs, start);
  const inPeriod = events.filter((e) => Date.parse(e.occurredAt) >= start);
  const kinds: Record<string, number> = { new: 0, upgrade: 0, downgrade: 0, cancel: 0, change: 0 };
  for (const e of inPeriod) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
  // Churned: paying at the start, on a free tier at the end.
  const payingAtStart = new Set(
    segs.filter((s) => s.from <= start && start < s.to && s.price > 0).map((s) => s.userId),
  );
  const payingAtEnd = new Set(
    segs.filter((s) => s.from <= end && end < s.to && s.price > 0).map((s) => s.userId),
  );
  const churned = [...payingAtStart].filter((u) => !payingAtEnd.has(u)).length;
  const subscription = round2(accrued(segs, start, end));
  return {
    period: { start: iso(start), end: iso(end), days: round2((end - start) / DAY) },
    subscription_revenue: subscription,
    trading_fee_revenue: 0,
    total_revenue: subscription,
    currency: events.at(-1)?.currency ?? 'USD',
    mrr: atEnd.mrr,
    arr: round2(atEnd.mrr * 12),
    mrr_at_start: atStart.mrr,
    mrr_growth_rate: atStart.mrr ? round2(((atEnd.mrr - atStart.mrr) / atStart.mrr) * 100) / 100 : null,
    paying_users: atEnd.paying,
    arpu_monthly: atEnd.paying ? round2(atEnd.mrr / atEnd.paying) : 0,
    by_tier: atEnd.byTier,
    subscription_events: kinds,
    churned_users: churned,
    churn_rate: payingAtStart.size ? round2((churned / payingAtStart.size) * 10_000) / 10_000 : 0,
    method: REVENUE_METHOD,
  };
}

export async function dailyRevenue(env: Env, days: number, now = Date.now()) {
  const end = now;
  const first = dayStart(now) - (days - 1) * DAY;
  const events = await eventsUntil(env, iso(end));
  const segs = segments(events, end + 1);
  const out = [];
  for (let d = first; d <= end; d += DAY) {
    const dEnd = Math.min(d + DAY, end);
    const dayEvents = events.filter((e) => {
      const t = Date.parse(e.occurredAt);
      return t >= d && t < d + DAY;
    });
    out.push({
      date: iso(d).slice(0, 10),
      revenue: round2(accrued(segs, d, dEnd)),
      mrr: mrrAt(segs, dEnd - 1).mrr,
      new_subscriptions: dayEvents.filter((e) => e.kind === 'new').length,
      cancellations: dayEvents.filter((e) => e.kind === 'cancel').length,
      upgrades: dayEvents.filter((e) => e.kind === 'upgrade').length,
      downgrades: dayEvents.filter((e) => e.kind === 'downgrade').length,
    });
  }
  return { days: out, total_revenue: round2(out.reduce((s, d) => s + d.revenue, 0)), method: REVENUE_METHOD };
}

// --- users --------------------------------------------------------------------------------

export async function userMetrics(env: Env, now = Date.now()) {
  const since = (ms: number) => iso(now - ms);
  const [totals, active, signups, tiers] = await env.DB.batch([
    env.DB.prepare(
      "SELECT COUNT(*) AS total, SUM(status = 'active') AS active_status, SUM(is_verified) AS verified, SUM(role = 'admin') AS admins FROM users WHERE deleted_at IS NULL",
    ),
    env.DB.prepare(
      `SELECT COUNT(DISTINCT CASE WHEN created_at >= ?1 THEN user_id END) AS d1,
              COUNT(DISTINCT CASE WHEN created_at >= ?2 THEN user_id END) AS d7,
              COUNT(DISTINCT user_id) AS d30
       FROM user_activities WHERE created_at >= ?3 AND user_id IS NOT NULL`,
    ).bind(since(DAY), since(7 * DAY), since(30 * DAY)),
    env.DB.prepare(
      `SELECT SUM(created_at >= ?1) AS d1, SUM(created_at >= ?2) AS d7, SUM(created_at >= ?3) AS d30
       FROM users WHERE deleted_at IS NULL`,
    ).bind(since(DAY), since(7 * DAY), since(30 * DAY)),
    env.DB.prepare('SELECT tier, COUNT(*) AS n FROM users WHERE deleted_at IS NULL GROUP BY tier'),
  ]);
  const t = (totals?.results[0] ?? {}) as {
    total?: number;
    active_status?: number;
    verified?: number;
    admins?: number;
  };
  const a = (active?.results[0] ?? {}) as { d1?: number; d7?: number; d30?: number };
  const s = (signups?.results[0] ?? {}) as { d1?: number | null; d7?: number | null; d30?: number | null };
  return {
    total_users: t.total ?? 0,
    active_users_24h: a.d1 ?? 0,
    active_users_7d: a.d7 ?? 0,
    active_users_30d: a.d30 ?? 0,
    new_users_24h: s.d1 ?? 0,
    new_users_7d: s.d7 ?? 0,
    new_users_30d: s.d30 ?? 0,
    verified_users: t.verified ?? 0,
    accounts_in_good_standing: t.active_status ?? 0,
    by_tier: Object.fromEntries(
      ((tiers?.results ?? []) as { tier: string; n: number }[]).map((r) => [r.tier, r.n]),
    ),
    retention_cohorts: await retentionCohorts(env, now),
    method:
      'active = any recorded activity (login, refresh, changes) in the window; retention: of the users who signed up in a week, the share with activity k weeks later',
  };
}

/** Weekly signup cohorts of the last 8 weeks: share of each with activity 1..4 weeks later. */
async function retentionCohorts(env: Env, now: number) {
  const start = dayStart(now) - 8 * 7 * DAY;
  const rows = await env.DB.prepare(
    `SELECT u.id AS user_id, u.created_at AS signup, a.created_at AS at
     FROM users u LEFT JOIN user_activities a ON a.user_id = u.id AND a.created_at > u.created_at
     WHERE u.created_at >= ? AND u.deleted_at IS NULL`,
  )
    .bind(iso(start))
    .all<{ user_id: string; signup: string; at: string | null }>();
  const cohorts = new Map<number, { users: Set<string>; weeks: Map<number, Set<string>> }>();
  for (const r of rows.results) {
    const signup = Date.parse(r.signup);
    const week = Math.floor((signup - start) / (7 * DAY));
    const c = cohorts.get(week) ?? { users: new Set(), weeks: new Map() };
    c.users.add(r.user_id);
    if (r.at) {
      const k = Math.floor((Date.parse(r.at) - signup) / (7 * DAY));
      if (k >= 1 && k <= 4) {
        const set = c.weeks.get(k) ?? new Set();
        set.add(r.user_id);
        c.weeks.set(k, set);
      }
    }
    cohorts.set(week, c);
  }
  return [...cohorts]
    .sort((a, b) => a[0] - b[0])
    .map(([week, c]) => {
      const cohortStart = start + week * 7 * DAY;
      const retention: Record<string, number | null> = {};
      for (let k = 1; k <= 4; k++) {
        // A later week that has not happened yet is unknown, not zero.
        retention[`week_${k}`] =
          cohortStart + (k + 1) * 7 * DAY <= now
            ? round2(((c.weeks.get(k)?.size ?? 0) / c.users.size) * 10_000) / 10_000
            : null;
      }
      return { joined_at: iso(cohortStart).slice(0, 10), users: c.users.size, retention };
    });
}

export async function userAcquisition(env: Env, days: number, now = Date.now()) {
  const start = dayStart(now) - (days - 1) * DAY;
  const rows = await env.DB.prepare(
    `SELECT substr(u.created_at, 1, 10) AS day, a.user_agent AS ua
     FROM users u LEFT JOIN user_activities a ON a.user_id = u.id AND a.action = 'register'
     WHERE u.created_at >= ? AND u.deleted_at IS NULL`,
  )
    .bind(iso(start))
    .all<{ day: string; ua: string | null }>();
  const daily = new Map<string, number>();
  for (let d = start; d <= now; d += DAY) daily.set(iso(d).slice(0, 10), 0);
  const byClient: Record<string, number> = {};
  for (const r of rows.results) {
    daily.set(r.day, (daily.get(r.day) ?? 0) + 1);
    const client = clientOf(r.ua);
    byClient[client] = (byClient[client] ?? 0) + 1;
  }
  return {
    days,
    total_registrations: rows.results.length,
    daily_registrations: [...daily].map(([date, registrations]) => ({ date, registrations })),
    by_client: byClient,
    by_source: null,
    note: 'Registrations do not record a marketing source (no UTM or referrer is captured); by_client is the registering client from its User-Agent.',
  };
}

function clientOf(ua: string | null): string {
  if (!ua) return 'unknown';
  if (/Mobile|Android|iPhone|iPad/i.test(ua)) return 'mobile_browser';
  if (/Mozilla|Chrome|Safari|Firefox|Edg\//i.test(ua)) return 'desktop_browser';
  return 'api_client';
}

// --- trades -------------------------------------------------------------------------------

interface TradeRow {
  day: string;
  mode: string | null;
  source: string;
  asset_type: string;
  symbol: string;
  bot_id: string | null;
  trade_type: string;
  n: number;
  volume: number | null;
}

async function tradeRows(env: Env, start: number, end: number) {
  const rows = await env.DB.prepare(
    `SELECT substr(t.created_at, 1, 10) AS day, p.mode AS mode, t.source AS source, t.asset_type AS asset_type,
            t.symbol AS symbol, t.bot_id AS bot_id, t.trade_type AS trade_type, COUNT(*) AS n,
            SUM(CAST(t.total_amount AS REAL)) AS volume
     FROM trades t LEFT JOIN portfolios p ON p.id = t.portfolio_id
     WHERE t.created_at >= ? AND t.created_at <= ?
     GROUP BY day, mode, source, asset_type, symbol, bot_id, trade_type`,
  )
    .bind(iso(start), iso(end))
    .all<TradeRow>();
  return rows.results;
}

function tally(rows: TradeRow[], key: (r: TradeRow) => string | null) {
  const out: Record<string, { trades: number; volume: number }> = {};
  for (const r of rows) {
    const k = key(r) ?? 'none';
    const e = out[k] ?? { trades: 0, volume: 0 };
    e.trades += r.n;
    e.volume = round2(e.volume + (r.volume ?? 0));
    out[k] = e;
  }
  return out;
}

export async function tradeMetrics(env: Env, days: number, now = Date.now()) {
  const start = dayStart(now) - (days - 1) * DAY;
  const rows = await tradeRows(env, start, now);
  const perDay = new Map<string, number>();
  for (const r of rows) {
    const k = `${r.day}|${r.mode ?? 'paper'}`;
    perDay.set(k, (perDay.get(k) ?? 0) + r.n);
  }
  const total = rows.reduce((s, r) => s + r.n, 0);
  const users = await env.DB.prepare('SELECT COUNT(DISTINCT user_id) AS n FROM trades WHERE created_at >= ?')
    .bind(iso(start))
    .first<{ n: number }>();
  return {
    days,
    total_trades: total,
    trading_users: users?.n ?? 0,
    avg_trades_per_day: round2(total / days),
    total_volume: round2(rows.reduce((s, r) => s + (r.volume ?? 0), 0)),
    trades_per_day: [...perDay]
      .map(([k, trade_count]) => {
        const [date = '', mode = 'paper'] = k.split('|');
        return { date, trade_count, mode };
      })
      .sort((a, b) => a.date.localeCompare(b.date) || a.mode.localeCompare(b.mode)),
    by_side: tally(rows, (r) => r.trade_type),
    note: 'Volume sums total_amount as recorded (each portfolio’s base currency); dates are when the trade was recorded.',
  };
}

export async function tradingActivity(env: Env, days: number, now = Date.now()) {
  const start = dayStart(now) - (days - 1) * DAY;
  const rows = await tradeRows(env, start, now);
  const bySymbol = Object.entries(tally(rows, (r) => r.symbol))
    .sort((a, b) => b[1].trades - a[1].trades)
    .slice(0, 20)
    .map(([symbol, v]) => ({ symbol, ...v }));
  const byBot = Object.entries(
    tally(
      rows.filter((r) => r.bot_id),
      (r) => r.bot_id,
    ),
  )
    .sort((a, b) => b[1].trades - a[1].trades)
    .slice(0, 20)
    .map(([bot_id, v]) => ({ bot_id, ...v }));
  return {
    days,
    total_trades: rows.reduce((s, r) => s + r.n, 0),
    by_mode: tally(rows, (r) => r.mode ?? 'paper'),
    by_surface: tally(rows, (r) => r.source),
    by_asset_type: tally(rows, (r) => r.asset_type),
    by_chain: null,
    top_assets: bySymbol,
    top_bots: byBot,
    note: 'Trades carry no chain (no on-chain execution is recorded); by_surface is how the trade entered (api, import, position, bot).',
  };
}

// --- KPIs, summary, dashboard ---------------------------------------------------------------

function growth(current: number, previous: number): number | null {
  return previous ? round2(((current - previous) / previous) * 10_000) / 10_000 : null;
}

export async function kpis(env: Env, periodDays: number, now = Date.now()) {
  const p = periodDays * DAY;
  const counts = async (start: number, end: number) => {
    const [signups, actives, trades] = await env.DB.batch([
      env.DB.prepare(
        'SELECT COUNT(*) AS n FROM users WHERE created_at >= ? AND created_at < ? AND deleted_at IS NULL',
      ).bind(iso(start), iso(end)),
      env.DB.prepare(
        'SELECT COUNT(DISTINCT user_id) AS n FROM user_activities WHERE created_at >= ? AND created_at < ? AND user_id IS NOT NULL',
      ).bind(iso(start), iso(end)),
      env.DB.prepare('SELECT COUNT(*) AS n FROM trades WHERE created_at >= ? AND created_at < ?').bind(
        iso(start),
        iso(end),
      ),
    ]);
    const n = (r: D1Result | undefined) => ((r?.results[0] ?? {}) as { n?: number }).n ?? 0;
    return { signups: n(signups), active_users: n(actives), trades: n(trades) };
  };
  const [cur, prev, revCur, revPrev] = await Promise.all([
    counts(now - p, now + 1),
    counts(now - 2 * p, now - p),
    revenueMetrics(env, now - p, now),
    revenueMetrics(env, now - 2 * p, now - p),
  ]);
  const kpi = (value: number, previous: number) => ({
    value,
    previous,
    growth_rate: growth(value, previous),
  });
  return {
    period_days: periodDays,
    period: { start: iso(now - p), end: iso(now) },
    kpis: {
      new_users: kpi(cur.signups, prev.signups),
      active_users: kpi(cur.active_users, prev.active_users),
      trades: kpi(cur.trades, prev.trades),
      revenue: kpi(revCur.total_revenue, revPrev.total_revenue),
      mrr: kpi(revCur.mrr, revPrev.mrr),
      paying_users: kpi(revCur.paying_users, revPrev.paying_users),
      churn_rate: kpi(revCur.churn_rate, revPrev.churn_rate),
      trades_per_active_user: kpi(
        cur.active_users ? round2(cur.trades / cur.active_users) : 0,
        prev.active_users ? round2(prev.trades / prev.active_users) : 0,
      ),
    },
    arr: revCur.arr,
    method:
      'Each KPI over the last period_days against the period before it; growth_rate = (value − previous) ÷ previous (null when previous is 0).',
  };
}

export async function businessSummary(env: Env, now = Date.now()) {
  const [users, trades, revenue] = await Promise.all([
    userMetrics(env, now),
    tradeMetrics(env, 30, now),
    revenueMetrics(env, now - 30 * DAY, now),
  ]);
  return {
    users: { total_users: users.total_users, active_users_24h: users.active_users_24h },
    trades_per_day: trades.trades_per_day,
    revenue: {
      subscription_revenue: revenue.subscription_revenue,
      trading_fee_revenue: revenue.trading_fee_revenue,
      total_revenue: revenue.total_revenue,
      mrr: revenue.mrr,
      arr: revenue.arr,
      window_days: 30,
    },
    timestamp: iso(now),
  };
}
