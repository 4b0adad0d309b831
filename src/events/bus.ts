import { describeError, log } from '../core/logger';

/** Published after new prices are written (by live ingestion or the replay source). */
export interface PricesUpdated {
  type: 'prices.updated';
  source: string;
  /** Market time of the prices, epoch ms (virtual time under replay). */
  at: number;
  assets: { assetId: string; symbol: string; price: number; changePct24h: number | null }[];
}

/** Published for every new in-app notification; the live hubs deliver it to the user's sockets. */
export interface NotificationCreated {
  type: 'notification.created';
  userId: string;
  notification: {
    id: string;
    type: string;
    category: string;
    priority: string;
    title: string;
    message: string;
    created_at: string;
  };
}

/** Published after every change to a portfolio's trades ledger (trade, edit, import, position change). */
export interface PortfolioChanged {
  type: 'portfolio.changed';
  userId: string;
  portfolioId: string;
  /** The ledger version the change made. */
  version: number;
  action: string;
  cash: string;
  /** Every position after the change: open quantity and cost (exact decimal text). */
  positions: { id: string; symbol: string; quantity: string; costBasis: string; realizedPnl: string }[];
  at: string;
}

export type MarketEvent = PricesUpdated | NotificationCreated | PortfolioChanged;
type Handler<E extends MarketEvent> = (env: Env, event: E) => Promise<void>;

const handlers = new Map<MarketEvent['type'], Handler<MarketEvent>[]>();

/**
 * Registers a subscriber (alerts, signals, live hubs...). Subscribers must be idempotent:
 * the same prices may be published twice, for example when a cron tick is retried.
 */
export function subscribe<T extends MarketEvent['type']>(
  type: T,
  handler: Handler<Extract<MarketEvent, { type: T }>>,
): () => void {
  const list = handlers.get(type) ?? [];
  const h = handler as Handler<MarketEvent>;
  list.push(h);
  handlers.set(type, list);
  return () => {
    const i = list.indexOf(h);
    if (i >= 0) list.splice(i, 1);
  };
}

/** Delivers an event to every subscriber; one failing does not stop the others. */
export async function publish(env: Env, event: MarketEvent): Promise<void> {
  const list = handlers.get(event.type) ?? [];
  const results = await Promise.allSettled(list.map((h) => h(env, event)));
  for (const r of results) {
    if (r.status === 'rejected')
      log('error', 'event.subscriber_failed', { type: event.type, ...describeError(r.reason) });
  }
  log('info', 'event.published', { type: event.type, subscribers: list.length });
}
