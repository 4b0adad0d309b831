// The asset page's signals section: what the active models say about the asset (probability
// of a higher close after their horizon), the signals generated for it, and each model's
// track record (walk-forward validation and live scoring) beside the baselines it must beat;
// signed in, the simulated outcome of the asset's past signals. No model output is shown
// without its record.
import { api, session, type TrackRecord } from '../api';
import { day, h, minute, pct, price, scroller, table } from '../ui';

const share = (v: number | null | undefined) => (v == null ? '—' : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null | undefined, d = 3) => (v == null ? '—' : v.toFixed(d));

function recordRows(records: TrackRecord[]) {
  return records.map((r) => {
    const wf = r.walk_forward;
    return [
      `${r.model_name} v${r.model_version} (${r.architecture}, ${r.horizon_days}d)`,
      wf ? `${wf.predictions} · ${day(wf.validated_from)} → ${day(wf.validated_to)}` : 'not validated',
      share(wf?.accuracy),
      share(wf?.always_long_accuracy),
      num(wf?.roc_auc),
      num(wf?.brier),
      wf?.strategy_return_net == null ? '—' : pct(wf.strategy_return_net * 100),
      wf?.always_long_return == null ? '—' : pct(wf.always_long_return * 100),
      `${r.live.predictions_scored} of ${r.live.predictions_made} · ${share(r.live.accuracy)}`,
    ];
  });
}

export async function renderSignals(box: HTMLElement, assetId: string): Promise<void> {
  const [analysis, suggestion, analytics] = await Promise.all([
    api.signals.analysis(assetId),
    api.signals.suggestion(assetId),
    session() ? api.signals.analytics(assetId).catch(() => null) : Promise.resolve(null),
  ]);
  const view = analysis.model_view;
  const records = new Map<string, TrackRecord>();
  for (const m of view.models) records.set(`${m.model_id}@${m.track_record.model_version}`, m.track_record);
  for (const s of analysis.signals)
    if (s.track_record)
      records.set(`${s.track_record.model_id}@${s.track_record.model_version}`, s.track_record);

  box.replaceChildren(
    h(
      'p',
      { class: 'headline', id: 'model-view' },
      'Models: ',
      h('strong', {}, view.action === 'none' ? 'no reading' : view.action),
      view.probability_up == null
        ? ' · no stored prediction of an active model yet'
        : ` · P(higher close) ${share(view.probability_up)} · confidence ${share(view.confidence)}`,
    ),
    h(
      'p',
      { class: 'note' },
      `Suggestion: ${suggestion.action}${suggestion.trend ? ` · trend ${suggestion.trend.trend}, volatility ${suggestion.trend.volatility}` : ''} · as of ${minute(suggestion.as_of)}`,
    ),
    h('ul', { id: 'rationale' }, ...suggestion.rationale.map((r) => h('li', {}, r))),
    analysis.signals.length
      ? scroller(
          'Signals table',
          undefined,
          table(
            'Signals for this asset, newest first',
            [
              ['Generated'],
              ['Direction'],
              ['Quality'],
              ['Confidence', true],
              ['Entry', true],
              ['Stop', true],
              ['Target', true],
              ['Status'],
              ['Expires'],
            ],
            analysis.signals.map((s) => [
              minute(s.generated_at),
              s.direction,
              s.quality,
              share(s.confidence),
              price(s.entry_price),
              price(s.stop_loss),
              price(s.take_profit_1),
              s.status,
              minute(s.expires_at),
            ]),
            'signals-table',
          ),
        )
      : h('p', { id: 'signals-table' }, 'No signals generated for this asset in the current window.'),
    h('h3', {}, 'Track record'),
    records.size
      ? scroller(
          'Model track records',
          undefined,
          table(
            'Each model’s walk-forward validation against always-long, and its live scoring',
            [
              ['Model'],
              ['Validated predictions'],
              ['Accuracy', true],
              ['Always long', true],
              ['ROC AUC', true],
              ['Brier', true],
              ['Strategy return', true],
              ['Buy & hold', true],
              ['Live: scored · accuracy'],
            ],
            recordRows([...records.values()]),
            'track-record',
          ),
        )
      : h(
          'p',
          { id: 'track-record' },
          'No trained model covers this asset yet, so there is no record to show.',
        ),
    analytics
      ? h(
          'p',
          { class: 'note', id: 'signal-outcomes' },
          `Past signals for this asset over ${analytics.window_days} days: ${analytics.overall.trades} with known outcome, ${
            analytics.overall.wins
          } wins (${share(analytics.overall.win_rate)}), average return ${
            analytics.overall.average_return == null ? '—' : pct(analytics.overall.average_return * 100)
          }, profit factor ${num(analytics.overall.profit_factor, 2)}; ${analytics.open} open.`,
        )
      : h('p', { class: 'note' }, 'Sign in to see how this asset’s past signals turned out.'),
    h(
      'details',
      { class: 'method' },
      h('summary', {}, `Method · as of ${minute(analysis.as_of)}`),
      h('p', {}, suggestion.method),
      analytics ? h('p', {}, analytics.method) : null,
      h('p', {}, suggestion.disclaimer),
    ),
  );
}
