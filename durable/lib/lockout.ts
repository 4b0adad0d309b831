import {
  GUESS_SLOT_TTL_MS,
  type GuessOutcome,
  type GuessSlot,
  type LockState,
  lockMinutes,
  slotsFor,
} from '../../src/core/lockout';

/**
 * One account's lockout in its Durable Object's SQLite: the consecutive-failure count, the
 * lock, and the checks in flight. A check reserves a slot before the secret is compared and
 * settles it after; both are synchronous inside one call and the object runs one call at a
 * time, so of any number of parallel guesses at most the failures left before the lock are
 * evaluated, and the rest are refused unseen.
 */
export class Lockout {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS lock_state (
      id INTEGER PRIMARY KEY CHECK (id = 1), failed INTEGER NOT NULL, locked_until INTEGER)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS guess_slots (
      ticket TEXT PRIMARY KEY, reserved_at INTEGER NOT NULL)`);
  }

  state(): LockState | null {
    const row = this.sql
      .exec<{ failed: number; locked_until: number | null }>(
        'SELECT failed, locked_until FROM lock_state WHERE id = 1',
      )
      .toArray()[0];
    return row ? { failed: row.failed, lockedUntil: row.locked_until } : null;
  }

  private save(s: LockState): LockState {
    this.sql.exec(
      `INSERT INTO lock_state (id, failed, locked_until) VALUES (1, ?1, ?2)
       ON CONFLICT (id) DO UPDATE SET failed = ?1, locked_until = ?2`,
      s.failed,
      s.lockedUntil,
    );
    return s;
  }

  /**
   * Reserves one check, or refuses it: while locked, or while as many checks are in flight
   * as failures remain. `initial` is the state recorded elsewhere (D1) for an account this
   * object has not counted yet; it is taken only once.
   */
  reserve(now: number, initial: LockState): GuessSlot {
    this.sql.exec('DELETE FROM guess_slots WHERE reserved_at < ?', now - GUESS_SLOT_TTL_MS);
    const s = this.state() ?? this.save(initial);
    if (s.lockedUntil !== null && s.lockedUntil > now) {
      return { status: 'locked', retryAfterSeconds: Math.max(1, Math.ceil((s.lockedUntil - now) / 1000)) };
    }
    const inFlight = this.sql.exec<{ n: number }>('SELECT count(*) AS n FROM guess_slots').one().n;
    if (inFlight >= slotsFor(s.failed)) return { status: 'busy', retryAfterSeconds: 1 };
    const ticket = crypto.randomUUID();
    this.sql.exec('INSERT INTO guess_slots (ticket, reserved_at) VALUES (?, ?)', ticket, now);
    return { status: 'ok', ticket };
  }

  /** Frees the slot and records what the check came to; returns the new state. */
  settle(ticket: string, outcome: GuessOutcome, now: number): LockState {
    this.sql.exec('DELETE FROM guess_slots WHERE ticket = ?', ticket);
    const s = this.state() ?? { failed: 0, lockedUntil: null };
    if (outcome === 'void') return s;
    if (outcome === 'success') return this.save({ failed: 0, lockedUntil: null });
    const failed = s.failed + 1;
    const minutes = lockMinutes(failed);
    return this.save({ failed, lockedUntil: minutes > 0 ? now + minutes * 60_000 : s.lockedUntil });
  }

  /** An admin's unlock: no count, no lock. Checks in flight still settle. */
  clear(): LockState {
    return this.save({ failed: 0, lockedUntil: null });
  }
}
