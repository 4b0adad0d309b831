import { asc, eq } from 'drizzle-orm';
import { DAY_MS } from '../../../core/dates';
import { ApiError } from '../../../core/errors';
import { marketNow } from '../../../core/market-clock';
import { round2 } from '../../../core/telemetry';
import { db } from '../../../db/client';
import { aiModels } from '../../../db/schema';
import { type ModelRow, trackRecord } from '../../models/service';

/**
 * 000's ML performance analytics over the model registry (`ai_models`) and its scored
 * predictions (`model_predictions`): each model's walk-forward validation beside its live
 * record, a comparison, live accuracy per period, and the training jobs of the window.
 * Predictions count only when their outcome close is at or before the market clock.
 */

export const ML_GRANULARITIES = ['week', 'month'] as const;
export type MlGranularity = (typeof ML_GRANULARITIES)[number];

const METHOD =
  'live accuracy = share of scored predictions whose call (p_up >= 0.5) matched the realized direction over the model horizon; Brier = mean (p_up - outcome)^2 (0 is perfect, 0.25 is a coin flip); walk-forward figures come from the latest training (out-of-sample folds). Only predictions whose outcome close is at or before the market clock count.';

interface PeriodRow {
  model_id: string;
  period: string;
  n: number;
  hits: number;
  brier: number;
}

/** Start of the ISO week (Monday) or the month of a prediction date, as YYYY-MM-DD. */
const periodSql = (g: MlGranularity) =>
  g === 'month'
    ? "substr(prediction_date, 1, 7) || '-01'"
    : "date(prediction_date, '-' || ((CAST(strftime('%w', prediction_date) AS INTEGER) + 6) % 7) || ' days')";

export async function mlPerformance(
  env: Env,
  q: { days: number; granularity: MlGranularity; model_id?: string | undefined },
) {
  const now = await marketNow(env);
  const since = now - q.days * DAY_MS;
  const sinceDay = new Date(since).toISOString().slice(0, 10);
  const rows: ModelRow[] = await db(env)
    .select()
    .from(aiModels)
    .where(q.model_id ? eq(aiModels.id, q.model_id) : undefined)
    .orderBy(asc(aiModels.createdAt), asc(aiModels.id))
    .limit(100);
  if (q.model_id && !rows.length) throw new ApiError('NOT_FOUND', `Model ${q.model_id} not found`);
  const [periods, training] = await Promise.all([
    env.DB.prepare(
      `SELECT model_id, ${periodSql(q.granularity)} AS period, COUNT(*) AS n,
         SUM(CASE WHEN (probability_up >= 0.5) = (outcome_up = 1) THEN 1 ELSE 0 END) AS hits,
         AVG((probability_up - outcome_up) * (probability_up - outcome_up)) AS brier
       FROM model_predictions
       WHERE scored_at IS NOT NULL AND outcome_time <= ?1 AND prediction_date >= ?2 ${q.model_id ? 'AND model_id = ?3' : ''}
       GROUP BY model_id, period ORDER BY period, model_id`,
    )
      .bind(now, sinceDay, ...(q.model_id ? [q.model_id] : []))
      .all<PeriodRow>(),
    // Training is system work: its window is wall time (when the jobs ran).
    env.DB.prepare(
      `SELECT status, COUNT(*) AS n,
         AVG(CASE WHEN finished_at IS NOT NULL AND started_at IS NOT NULL
           THEN (julianday(finished_at) - julianday(started_at)) * 86400 END) AS avg_s
       FROM jobs WHERE type = 'models.train' AND created_at >= ?1 ${q.model_id ? "AND json_extract(payload, '$.model_id') = ?2" : ''}
       GROUP BY status`,
    )
      .bind(new Date(Date.now() - q.days * DAY_MS).toISOString(), ...(q.model_id ? [q.model_id] : []))
      .all<{ status: string; n: number; avg_s: number | null }>(),
  ]);
  const records = await Promise.all(rows.map((m) => trackRecord(env, m, now)));
  const inWindow = new Map<string, { n: number; hits: number; brierSum: number }>();
  for (const p of periods.results) {
    const acc = inWindow.get(p.model_id) ?? { n: 0, hits: 0, brierSum: 0 };
    acc.n += p.n;
    acc.hits += p.hits;
    acc.brierSum += p.brier * p.n;
    inWindow.set(p.model_id, acc);
  }
  const perModel = rows.map((m, i) => {
    const r = records[i];
    const w = inWindow.get(m.id);
    return {
      model_id: m.id,
      name: m.name,
      architecture: m.architecture,
      status: m.status,
      version: m.version,
      horizon_days: m.horizonDays,
      trained_at: m.trainedAt,
      walk_forward: r?.walk_forward ?? null,
      live_all_time: r?.live ?? null,
      live_in_window: {
        predictions_scored: w?.n ?? 0,
        accuracy: w?.n ? Math.round((w.hits / w.n) * 10_000) / 10_000 : null,
        brier: w?.n ? Math.round((w.brierSum / w.n) * 10_000) / 10_000 : null,
      },
    };
  });
  const ranked = perModel
    .filter((m) => m.live_in_window.accuracy !== null)
    .sort((a, b) => (b.live_in_window.accuracy ?? 0) - (a.live_in_window.accuracy ?? 0));
  const byAuc = perModel
    .filter((m) => m.walk_forward?.roc_auc != null)
    .sort((a, b) => (b.walk_forward?.roc_auc ?? 0) - (a.walk_forward?.roc_auc ?? 0));
  const totalJobs = training.results.reduce((s, r) => s + r.n, 0);
  const succeeded = training.results.find((r) => r.status === 'succeeded');
  return {
    models: perModel,
    comparison: {
      models_compared: perModel.length,
      active_models: perModel.filter((m) => m.status === 'active').length,
      best_live_accuracy: ranked[0]
        ? { model_id: ranked[0].model_id, accuracy: ranked[0].live_in_window.accuracy }
        : null,
      best_walk_forward_auc: byAuc[0]
        ? { model_id: byAuc[0].model_id, roc_auc: byAuc[0].walk_forward?.roc_auc ?? null }
        : null,
      // A model whose live accuracy trails its own validation by 10 points or more has drifted.
      drifting: perModel
        .filter(
          (m) =>
            m.walk_forward?.accuracy != null &&
            m.live_in_window.accuracy !== null &&
            m.live_in_window.predictions_scored >= 20 &&
            m.walk_forward.accuracy - m.live_in_window.accuracy >= 0.1,
        )
        .map((m) => m.model_id),
    },
    accuracy_over_time: periods.results.map((p) => ({
      period_start: p.period,
      model_id: p.model_id,
      predictions_scored: p.n,
      accuracy: p.n ? Math.round((p.hits / p.n) * 10_000) / 10_000 : null,
      brier: p.n ? Math.round(p.brier * 10_000) / 10_000 : null,
    })),
    training_jobs: {
      window_days: q.days,
      total: totalJobs,
      by_status: Object.fromEntries(training.results.map((r) => [r.status, r.n])),
      avg_duration_seconds: succeeded?.avg_s == null ? null : round2(succeeded.avg_s),
    },
    method: METHOD,
    window: { days: q.days, granularity: q.granularity, from: sinceDay, to: new Date(now).toISOString() },
    data_points: periods.results.reduce((s, p) => s + p.n, 0),
    as_of: new Date(now).toISOString(),
  };
}
