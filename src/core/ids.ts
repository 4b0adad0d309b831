/** Type prefixes of our opaque ids (DESIGN.md). */
export const ID_PREFIXES = {
  user: 'usr',
  session: 'ses',
  apiKey: 'key',
  job: 'job',
  portfolio: 'pf',
  position: 'pos',
  trade: 'trd',
  bot: 'bot',
  signal: 'sig',
  audit: 'aud',
  activity: 'act',
  asset: 'ast',
  corporateAction: 'ca',
  archive: 'arc',
  notification: 'ntf',
  pushSubscription: 'psub',
  feedback: 'fbk',
  watchlist: 'wl',
  watchlistHistory: 'wlh',
  alert: 'alr',
  alertTrigger: 'atr',
  backtest: 'bt',
  riskAlert: 'ralr',
  model: 'mdl',
  prediction: 'prd',
  signalExecution: 'sx',
  suggestion: 'sug',
  recommendation: 'rec',
  suggestionFeedback: 'sfb',
  wallet: 'wallet',
  walletTx: 'tx',
  dexTrade: 'trade',
  opsAlert: 'oal',
  incident: 'inc',
  subscriptionEvent: 'sube',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

// Crockford's base32: no I, L, O or U, so ids survive being read aloud or retyped.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A new id: prefix, then a ULID-style body (48-bit time, 80 random bits), so ids sort by
 * creation time, which keeps D1's primary-key index append-mostly.
 */
export function newId(kind: IdKind, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  const random = crypto.getRandomValues(new Uint8Array(16));
  let body = '';
  for (const byte of random) body += ALPHABET.charAt(byte % 32);
  return `${ID_PREFIXES[kind]}_${time}${body}`.toLowerCase();
}

/** Whether `id` has the prefix of `kind`, for paths that dispatch on the id's type. */
export function isIdOf(kind: IdKind, id: string): boolean {
  return id.startsWith(`${ID_PREFIXES[kind]}_`);
}
