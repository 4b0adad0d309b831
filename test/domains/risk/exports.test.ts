import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { CSV_COLUMNS } from '../../../src/domains/risk/services/render';
import { runJob } from '../../../src/jobs/service';
import { call, callJson } from '../../helpers/api';
import { seedFactors } from '../../helpers/factors';
import { seedMarket } from '../../helpers/market';
import { signUp, type TestUser } from '../../helpers/users';

/** Issue 16: portfolio reports (MD, JSON, CSV, PDF) via a job into R2, signed links; historical export. */
let owner: TestUser;
let other: TestUser;
let pf: string;

beforeAll(async () => {
  await seedMarket(['SPY', 'BTC']);
  await seedFactors(['AAPL', 'MTUM', 'QUAL', 'USMV', 'VLUE', 'VYM', 'IWM']);
  owner = await signUp();
  other = await signUp();
  const created = await callJson<{ id: string }>('/api/v1/management/portfolios', {
    method: 'POST',
    as: owner.as,
    body: { name: 'Report', type: 'HNW' },
  });
  pf = created.body.id;
  for (const p of [
    { symbol: 'SPY', quantity: 20, entry_price: 400, entry_date: '2023-06-01' },
    { symbol: 'AAPL', quantity: 30, entry_price: 150, entry_date: '2023-06-01' },
    { symbol: 'BTC', quantity: 0.2, entry_price: 27000, entry_date: '2023-06-01' },
  ]) {
    const r = await callJson(`/api/v1/management/portfolios/${pf}/positions`, {
      method: 'POST',
      as: owner.as,
      body: p,
    });
    expect(r.res.status, JSON.stringify(r.body)).toBe(201);
  }
}, 120_000);

interface Status {
  report_id: string;
  job_id: string | null;
  status: string;
  download_url: string | null;
  bytes: number | null;
}

async function report(format: string): Promise<{ status: Status; res: Response }> {
  const posted = await callJson<Status>(`/api/v1/export/reports/portfolio/${pf}`, {
    method: 'POST',
    as: owner.as,
    body: { format },
  });
  expect(posted.res.status, JSON.stringify(posted.body)).toBe(202);
  expect(posted.body.status).toBe('queued');
  // The consumer may already have run it; running it again is a no-op (the claim is conditional).
  await runJob(env, { job_id: posted.body.job_id as string, type: 'risk.report' });
  const status = await callJson<Status>(`/api/v1/export/reports/${posted.body.report_id}`, { as: owner.as });
  expect(status.body.status, JSON.stringify(status.body)).toBe('completed');
  const url = status.body.download_url as string;
  const res = await call(url);
  expect(res.status).toBe(200);
  return { status: status.body, res };
}

/** The text drawn on a PDF's pages: inflate each content stream, decode the hex strings of Tj. */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const raw = new TextDecoder('latin1').decode(bytes);
  const out: string[] = [];
  const re = /(?<!end)stream\r?\n/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    if (end < 0) break;
    // The stream's data end before the EOL that precedes `endstream`.
    let stop = end;
    while (stop > start && (bytes[stop - 1] === 0x0a || bytes[stop - 1] === 0x0d)) stop--;
    const chunk = bytes.slice(start, stop);
    let text: string;
    try {
      const inflated = await new Response(
        new Blob([chunk]).stream().pipeThrough(new DecompressionStream('deflate')),
      ).arrayBuffer();
      text = new TextDecoder('latin1').decode(inflated);
    } catch {
      // An uncompressed stream: read it as it is.
      text = raw.slice(start, end);
    }
    for (const t of text.matchAll(/<([0-9A-Fa-f]*)> Tj/g))
      out.push((t[1]?.match(/../g) ?? []).map((h) => String.fromCharCode(Number.parseInt(h, 16))).join(''));
    re.lastIndex = end;
  }
  return out.join('\n');
}

describe('POST /api/v1/export/reports/portfolio/{portfolio_id}', () => {
  it('renders a PDF whose text reads back, with the risk figures', { timeout: 60_000 }, async () => {
    const { res, status } = await report('pdf');
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.byteLength).toBe(status.bytes);
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const text = await pdfText(bytes);
    expect(text).toContain('Portfolio report: Report');
    expect(text).toContain('Component VaR (95%, 1 day)');
    expect(text).toContain('COVID crash (March 2020)');
    expect(text).toMatch(/historical\s+1_day/);
  });

  it('renders JSON, Markdown and a CSV of the holdings', { timeout: 60_000 }, async () => {
    const json = JSON.parse(await (await report('json')).res.text()) as {
      positions: { symbol: string }[];
      risk: { var_es: Record<string, unknown>; warnings: string[] };
      scenarios: unknown[];
    };
    expect(json.positions.map((p) => p.symbol).sort()).toEqual(['AAPL', 'BTC', 'SPY']);
    expect(Object.keys(json.risk.var_es)).toEqual(['historical', 'parametric', 'cornish_fisher']);
    expect(json.scenarios).toHaveLength(15);
    const md = await (await report('md')).res.text();
    expect(md).toMatch(/^# Portfolio report: Report/);
    expect(md).toContain('## Factor exposures (ETF 7-factor)');
    const csv = (await (await report('csv')).res.text()).trim().split('\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(4);
  });

  it('refuses tampered or expired links, other users and unknown formats', async () => {
    const { status } = await report('md');
    const url = status.download_url as string;
    const tampered = url.replace(/signature=(.)/, (_, ch: string) => `signature=${ch === 'a' ? 'b' : 'a'}`);
    expect((await call(tampered)).status).toBe(403);
    const expired = url.replace(/expires=\d+/, 'expires=1000');
    expect((await call(expired)).status).toBe(403);
    expect((await callJson(`/api/v1/export/reports/${status.report_id}`, { as: other.as })).res.status).toBe(
      404,
    );
    const foreign = await callJson(`/api/v1/export/reports/portfolio/${pf}`, {
      method: 'POST',
      as: other.as,
      body: { format: 'pdf' },
    });
    expect(foreign.res.status).toBe(404);
    const bad = await callJson(`/api/v1/export/reports/portfolio/${pf}`, {
      method: 'POST',
      as: owner.as,
      body: { format: 'docx' },
    });
    expect([400, 422]).toContain(bad.res.status);
  });
});

describe('GET /api/v1/export/data/historical', () => {
  it('streams CSV and JSON for a date range, with calculated columns on request', {
    timeout: 60_000,
  }, async () => {
    const base = `/api/v1/export/data/historical?portfolio_id=${pf}&start_date=2023-06-01&end_date=2023-06-30`;
    const csv = await call(`${base}&include_calculated=true`, { as: owner.as });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'date,total_value,cash,invested,cost_basis,external_flow,daily_return,cumulative_return,drawdown',
    );
    expect(lines[1]?.startsWith('2023-06-01,')).toBe(true);
    expect(lines.at(-1)?.startsWith('2023-06-30,')).toBe(true);
    const json = await call(`${base}&format=json`, { as: owner.as });
    const rows = (await json.json()) as { date: string; total_value: number }[];
    expect(rows).toHaveLength(lines.length - 1);
    expect(Object.keys(rows[0] ?? {})).not.toContain('daily_return');
    expect((await call(`${base.replace('2023-06-30', '2030-01-01')}`, { as: owner.as })).status).toBe(422);
    expect((await call(`${base.replace('2023-06-01', '2023-07-15')}`, { as: owner.as })).status).toBe(422);
    expect((await call(base, { as: other.as })).status).toBe(404);
  });
});
