import { and, eq, isNotNull } from 'drizzle-orm';
import { ApiError } from '../../core/errors';
import { marketClock } from '../../core/market-clock';
import { db } from '../../db/client';
import { aiModels, userIntegrations } from '../../db/schema';
import { STRATEGIES, type StrategyName } from './engine/strategies';
import { listBots } from './service';

interface Spec {
  name: string;
  kind: 'strategy' | 'exchange' | 'market_data';
  description: string;
  /** Why it cannot run, when it cannot. */
  unavailable?: string;
}

const STRATEGY_TEXT: Record<StrategyName, string> = {
  momentum: 'MACD/RSI confluence momentum strategy',
  mean_reversion: 'RSI / Bollinger Bands mean-reversion strategy',
  sma_crossover: 'Fast/slow simple moving average crossover',
  grid: 'Grid strategy: holds more as the price falls through grid levels',
  dca: 'Dollar-cost averaging on a bar schedule',
  ml_adaptive: 'Strategy driven by a trained model from the model registry',
};

/** What a bot can use: the built-in strategies, the paper exchange and the market-data clock. */
export const INTEGRATIONS: readonly Spec[] = [
  ...STRATEGIES.map((s) => ({
    name: s,
    kind: 'strategy' as const,
    description: STRATEGY_TEXT[s],
  })),
  {
    name: 'paper',
    kind: 'exchange',
    description:
      'Paper exchange: fills at the current quote into your paper ledger (fee and slippage per bot)',
  },
  {
    name: 'live_exchange',
    kind: 'exchange',
    description: 'Real exchange execution',
    unavailable: 'no exchange connector is configured; bots trade paper only',
  },
  {
    name: 'market_clock',
    kind: 'market_data',
    description: 'Candles and quotes on the market clock (replay or live) that bots decide on',
  },
];

const NO_MODEL = 'no active trained model is in the model registry (ai_models)';

/** The integrations with today's availability: ml_adaptive needs an active trained model. */
async function currentSpecs(env: Env): Promise<Spec[]> {
  const model = await db(env)
    .select({ id: aiModels.id })
    .from(aiModels)
    .where(and(eq(aiModels.status, 'active'), isNotNull(aiModels.artifactKey)))
    .limit(1)
    .get();
  return INTEGRATIONS.map((i) => (i.name === 'ml_adaptive' && !model ? { ...i, unavailable: NO_MODEL } : i));
}

function specOf(name: string): Spec {
  const spec = INTEGRATIONS.find((i) => i.name === name);
  if (!spec) throw new ApiError('NOT_FOUND', `Integration ${name} not found`);
  return spec;
}

/** Each integration's state for a user: started by them, or in use by their bots. */
export async function integrationStates(env: Env, userId: string, only?: string) {
  const all = await currentSpecs(env);
  const specs = only ? [specOf(only)].map((s) => all.find((x) => x.name === s.name) ?? s) : all;
  const [bots, started, clock] = await Promise.all([
    listBots(env, userId),
    db(env).select().from(userIntegrations).where(eq(userIntegrations.userId, userId)),
    marketClock(env),
  ]);
  return specs.map((spec) => {
    const using = bots.filter((b) =>
      spec.kind === 'strategy'
        ? b.strategy === spec.name
        : spec.name === 'paper' || spec.name === 'market_clock'
          ? b.mode === 'paper'
          : false,
    );
    const running = using.filter((b) => b.status === 'running');
    const startedAt = started.find((s) => s.name === spec.name)?.startedAt ?? null;
    const lastTicks = using
      .map((b) => b.lastTickAt)
      .filter((x): x is string => x !== null)
      .sort();
    return {
      name: spec.name,
      kind: spec.kind,
      status: spec.unavailable
        ? ('unavailable' as const)
        : running.length || startedAt
          ? ('active' as const)
          : ('inactive' as const),
      description: spec.description,
      reason: spec.unavailable ?? null,
      startedAt,
      bots: using.length,
      runningBots: running.length,
      lastActivity: lastTicks.at(-1) ?? null,
      ...(spec.name === 'market_clock'
        ? { clock: { mode: clock.mode, now: new Date(clock.now).toISOString() } }
        : {}),
    };
  });
}

/** Starts an integration for the user (idempotent); one that cannot run answers 422 saying why. */
export async function startIntegration(env: Env, userId: string, name: string) {
  specOf(name);
  const spec = (await currentSpecs(env)).find((s) => s.name === name) ?? specOf(name);
  if (spec.unavailable) {
    throw new ApiError('UNPROCESSABLE_ENTITY', `Integration ${name} cannot start: ${spec.unavailable}`, {
      details: { integration: name, reason: spec.unavailable },
    });
  }
  await db(env)
    .insert(userIntegrations)
    .values({ userId, name, startedAt: new Date().toISOString() })
    .onConflictDoNothing();
  const row = await db(env)
    .select()
    .from(userIntegrations)
    .where(and(eq(userIntegrations.userId, userId), eq(userIntegrations.name, name)))
    .get();
  const [state] = await integrationStates(env, userId, name);
  if (!state) throw new ApiError('NOT_FOUND', `Integration ${name} not found`);
  return { ...state, startedAt: row?.startedAt ?? state.startedAt };
}
