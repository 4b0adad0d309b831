import { readFileSync } from 'node:fs';

/** Whether a five-field cron expression of the simple kinds we use (`*`, numbers, `*\/n`) matches `date` (UTC). */
export function cronMatches(expression: string, date: Date): boolean {
  const fields = expression.trim().split(/\s+/);
  const values = [
    date.getUTCMinutes(),
    date.getUTCHours(),
    date.getUTCDate(),
    date.getUTCMonth() + 1,
    date.getUTCDay(),
  ];
  return fields.every((field, i) => {
    const value = values[i];
    if (value === undefined) return false;
    return field.split(',').some((part) => {
      if (part === '*') return true;
      const step = /^\*\/(\d+)$/.exec(part);
      if (step) return value % Number(step[1]) === 0;
      return Number(part) === value;
    });
  });
}

/** The crons wrangler.toml declares. */
export function declaredCrons(path = 'wrangler.toml'): string[] {
  const match = /crons\s*=\s*\[([^\]]*)\]/.exec(readFileSync(path, 'utf8'));
  return match?.[1] ? [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '').filter(Boolean) : [];
}

/**
 * `wrangler dev` does not fire Cron Triggers by itself; this does, at the top of every
 * minute, through its `/__scheduled` endpoint (enabled by `--test-scheduled`), so the
 * replay source moves prices on a developer's machine as the cron would in production.
 */
export function driveCrons(origin: string, crons: string[]): () => void {
  const fire = async (cron: string) => {
    try {
      await fetch(`${origin}/__scheduled?cron=${encodeURIComponent(cron)}`);
    } catch {
      // wrangler dev restarting: the next minute fires again
    }
  };
  const tick = () => {
    const now = new Date();
    for (const cron of crons) if (cronMatches(cron, now)) void fire(cron);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    timer = setTimeout(
      () => {
        tick();
        schedule();
      },
      60_000 - (Date.now() % 60_000) + 50,
    );
  };
  schedule();
  return () => clearTimeout(timer);
}
