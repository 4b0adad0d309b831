// The write statements of one alert evaluation (issue 20: only state changes are written).
// Every statement is conditional, so the batch is a no-op for whatever another evaluation of
// the same or a newer event has already written; see `alertAssetWatermarks` for the span.

/** Under D1's 100 bound parameters with room for the other conditions. */
export const IN_CHUNK = 85;

/**
 * True while the alert's asset has not evaluated an event at the market time bound to `at`
 * (its span does not contain it). Guards every write, so an event that a concurrent or earlier
 * evaluation has covered changes nothing, even for an alert whose own `last_evaluated_at` was
 * never written.
 */
const outsideSpan = (at: string) => `NOT EXISTS (SELECT 1 FROM alert_asset_watermarks w
  WHERE w.asset_id = alerts.asset_id AND w.evaluated_from <= ${at} AND w.evaluated_through >= ${at})`;

export interface Claim {
  id: string;
  lastState: string | null;
  state: string;
  fire: boolean;
  price: number;
  value: number | null;
}

/**
 * The claim of one state change at market time `at` (RETURNING its id only if it won: not yet
 * evaluated at `at` or later, still on the side read), then its trigger row when it fires
 * (unique per alert and time, written only if this claim set `last_triggered_at`).
 */
export function claimStatements(
  DB: D1Database,
  at: number,
  c: Claim,
  triggerId: string,
): D1PreparedStatement[] {
  const fire = c.fire ? 1 : 0;
  const claim = DB.prepare(
    `UPDATE alerts SET last_state = ?1, last_evaluated_at = ?2,
       last_triggered_at = CASE WHEN ?3 = 1 THEN ?2 ELSE last_triggered_at END,
       trigger_count = trigger_count + ?3,
       is_active = CASE WHEN ?3 = 1 AND repeat = 0 THEN 0 ELSE is_active END
     WHERE id = ?4 AND is_active = 1 AND deleted_at IS NULL
       AND (last_evaluated_at IS NULL OR last_evaluated_at < ?2) AND last_state IS ?5
       AND ${outsideSpan('?2')}
     RETURNING id`,
  ).bind(c.state, at, fire, c.id, c.lastState);
  if (!c.fire) return [claim];
  const trigger = DB.prepare(
    `INSERT INTO alert_triggers (id, alert_id, user_id, asset_id, triggered_at, price, value)
     SELECT ?1, id, user_id, asset_id, ?2, ?3, ?4 FROM alerts
     WHERE id = ?5 AND last_triggered_at = ?2 AND last_evaluated_at = ?2
     ON CONFLICT (alert_id, triggered_at) DO NOTHING`,
  ).bind(triggerId, at, c.price, c.value, c.id);
  return [claim, trigger];
}

/**
 * `last_evaluated_at = at` for unchanged alerts that the asset's span does not cover yet (new
 * alerts, or ones last evaluated before it): after this they count as evaluated through the
 * span, so later unchanged evaluations write nothing. Grouped by the state read.
 */
export function markStatements(
  DB: D1Database,
  at: number,
  byState: Map<string | null, string[]>,
): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (const [state, ids] of byState) {
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      out.push(
        DB.prepare(
          `UPDATE alerts SET last_evaluated_at = ?1
           WHERE id IN (${chunk.map((_, k) => `?${k + 3}`).join(', ')})
             AND (last_evaluated_at IS NULL OR last_evaluated_at < ?1) AND last_state IS ?2
             AND ${outsideSpan('?1')}`,
        ).bind(at, state, ...chunk),
      );
    }
  }
  return out;
}

/**
 * Moves each asset's span forward to `at` (or starts it there); an event older than the span
 * leaves it as it is. Last in the batch: the guards above read the span as it was before.
 */
export function spanStatements(DB: D1Database, at: number, assetIds: string[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  const per = 98;
  for (let i = 0; i < assetIds.length; i += per) {
    const chunk = assetIds.slice(i, i + per);
    out.push(
      DB.prepare(
        `INSERT INTO alert_asset_watermarks (asset_id, evaluated_from, evaluated_through)
         VALUES ${chunk.map((_, k) => `(?${k + 2}, ?1, ?1)`).join(', ')}
         ON CONFLICT (asset_id) DO UPDATE SET evaluated_through = excluded.evaluated_through
         WHERE alert_asset_watermarks.evaluated_through < excluded.evaluated_through`,
      ).bind(at, ...chunk),
    );
  }
  return out;
}
