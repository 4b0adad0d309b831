import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The plain `[vars]` of wrangler.toml (string values only), so scripts see the settings the
 * Worker runs with. A variable of the same name in the environment wins.
 */
export function wranglerVars(path = join(process.cwd(), 'wrangler.toml')): Record<string, string> {
  const vars: Record<string, string> = {};
  let inVars = false;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const section = line.match(/^\s*\[+([^\]]+)\]+\s*$/);
    if (section) {
      inVars = section[1]?.trim() === 'vars';
      continue;
    }
    const pair = inVars ? line.match(/^\s*([A-Z0-9_]+)\s*=\s*"([^"]*)"/) : null;
    if (pair?.[1]) vars[pair[1]] = process.env[pair[1]] ?? pair[2] ?? '';
  }
  return vars;
}

/**
 * Where the seed stops writing served market data: the replay's start under replay (later
 * rows go to the replay store, ingested as the market clock reaches them), nothing when live.
 */
export function seedCutoff(vars = wranglerVars()): number {
  if ((vars.MARKET_DATA_MODE ?? 'replay') !== 'replay') return Number.POSITIVE_INFINITY;
  const start = Date.parse(`${vars.REPLAY_START ?? '2024-01-01'}T00:00:00Z`);
  if (!Number.isFinite(start)) throw new Error(`REPLAY_START is not a date: ${vars.REPLAY_START}`);
  return start;
}
