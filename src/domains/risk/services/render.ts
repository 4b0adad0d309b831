import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import type { PortfolioValue } from '../../portfolios/services/valuation';
import type { StoredExposures } from './factors';
import type { RiskReport } from './summary';

/** Everything a report shows, gathered once and rendered to each format. */
export interface ReportData {
  generatedAt: string;
  value: PortfolioValue;
  risk: RiskReport;
  exposures: StoredExposures;
  performance: Record<string, number | string | null>;
}

const f2 = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(2));
const pct = (x: number | null | undefined) =>
  x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(2)}%`;

/** The report as one JSON document (figures unrounded). */
export function reportJson(d: ReportData) {
  const v = d.value;
  return {
    report: {
      generated_at: d.generatedAt,
      as_of: v.asOf,
      portfolio_id: v.portfolio.id,
      name: v.portfolio.name,
    },
    portfolio: {
      currency: v.portfolio.baseCurrency,
      total_value: v.totalValue,
      cash: v.cash,
      market_value: v.marketValue,
      unrealized_pnl: v.unrealizedPnl,
      realized_pnl: v.realizedPnl,
      total_pnl: v.totalPnl,
    },
    positions: positionRows(d),
    performance: d.performance,
    risk: {
      lookback: d.risk.inputs.lookback,
      observations: d.risk.inputs.days.length,
      var_es: d.risk.grid,
      method_notes: d.risk.methodNotes,
      component_var: d.risk.components,
      metrics: d.risk.metrics,
      greeks: d.risk.greeks.totals,
      warnings: d.risk.warnings,
    },
    factor_exposures: { portfolio: d.exposures.summary, last_updated: d.exposures.calculatedAt },
    scenarios: d.risk.scenarios.map((s) => ({
      id: s.id,
      name: s.name,
      scenario_return: s.scenario_return,
      portfolio_impact: s.portfolio_impact,
      systematic_impact: s.systematic_impact,
      idiosyncratic_impact: s.idiosyncratic_impact,
    })),
  };
}

export const CSV_COLUMNS = [
  'symbol',
  'position_type',
  'quantity',
  'price',
  'market_value',
  'weight',
  'unrealized_pnl',
  'market_beta',
  'component_var_95_1d',
  'marginal_var_95_1d',
] as const;

function positionRows(d: ReportData) {
  const comp = new Map((d.risk.components?.rows ?? []).map((r) => [r.position_id, r]));
  const betas = new Map(
    d.exposures.positions.map((p) => {
      const m = p.model as { coefficients?: { factor: string; beta: number }[] } | null;
      return [p.positionId, m?.coefficients?.find((c) => c.factor === 'market')?.beta ?? null];
    }),
  );
  const nav = d.value.totalValue;
  return d.value.positions
    .filter((v) => v.isOpen)
    .map((v) => ({
      position_id: v.position.id,
      symbol: v.position.symbol,
      position_type: v.position.positionType,
      quantity: v.quantity,
      price: v.price,
      market_value: v.marketValue,
      weight: nav ? v.marketValue / nav : null,
      unrealized_pnl: v.unrealizedPnl,
      market_beta: betas.get(v.position.id) ?? null,
      component_var_95_1d: comp.get(v.position.id)?.component_var ?? null,
      marginal_var_95_1d: comp.get(v.position.id)?.marginal_var ?? null,
    }));
}

const csvCell = (x: unknown) => {
  if (x === null || x === undefined) return '';
  const s = String(x);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One row per open position (a holdings ledger that re-imports), risk columns beside it. */
export function reportCsv(d: ReportData): string {
  const rows = positionRows(d);
  return `${[CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
}

export function reportMarkdown(d: ReportData): string {
  const v = d.value;
  const r = d.risk;
  const lines: string[] = [];
  lines.push(`# Portfolio report: ${v.portfolio.name}`, '');
  lines.push(`Generated ${d.generatedAt}; data as of ${v.asOf} (market clock).`, '');
  lines.push('## Portfolio', '');
  lines.push(`| Total value | Cash | Market value | Total P&L |`, `|---|---|---|---|`);
  lines.push(`| ${f2(v.totalValue)} | ${f2(v.cash)} | ${f2(v.marketValue)} | ${f2(v.totalPnl)} |`, '');
  lines.push(
    '## Positions',
    '',
    '| Symbol | Type | Quantity | Price | Market value | Weight |',
    '|---|---|---|---|---|---|',
  );
  for (const p of positionRows(d))
    lines.push(
      `| ${p.symbol} | ${p.position_type} | ${p.quantity} | ${f2(p.price)} | ${f2(p.market_value)} | ${pct(p.weight)} |`,
    );
  lines.push('', '## Performance', '');
  for (const [k, x] of Object.entries(d.performance))
    lines.push(`- ${k}: ${typeof x === 'number' ? x.toFixed(6) : (x ?? 'n/a')}`);
  lines.push('', `## Risk (lookback ${r.inputs.lookback} days, ${r.inputs.days.length} observations)`, '');
  lines.push('| Method | Horizon | VaR 95 | ES 95 | VaR 99 | ES 99 |', '|---|---|---|---|---|---|');
  for (const [m, byH] of Object.entries(r.grid))
    for (const [h, byC] of Object.entries(byH))
      lines.push(
        `| ${m} | ${h} | ${f2(byC['0.95']?.var_amount)} | ${f2(byC['0.95']?.es_amount)} | ${f2(byC['0.99']?.var_amount)} | ${f2(byC['0.99']?.es_amount)} |`,
      );
  const m = r.metrics;
  lines.push(
    '',
    `Beta to SPY ${f2(m.portfolio_beta)}, correlation ${f2(m.correlation_with_spy)}, tracking error ${pct(m.tracking_error)}, Sortino ${f2(m.sortino_ratio)}, max drawdown ${pct(m.maximum_drawdown)}, 30-day volatility ${pct(m.volatility_30d)}.`,
    '',
  );
  lines.push('## Factor exposures (ETF 7-factor)', '');
  for (const [k, x] of Object.entries(d.exposures.summary.exposures)) lines.push(`- ${k}: ${x.toFixed(4)}`);
  lines.push('', '## Scenarios', '', '| Scenario | Return | P&L |', '|---|---|---|');
  for (const s of r.scenarios)
    lines.push(`| ${s.name} | ${pct(s.scenario_return)} | ${f2(s.portfolio_impact)} |`);
  if (r.warnings.length) lines.push('', '## Warnings', '', ...r.warnings.map((w) => `- ${w}`));
  return `${lines.join('\n')}\n`;
}

/** pdf-lib's standard fonts encode WinAnsi only: other characters become '?'. */
const ansi = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');

/** A PDF with the same sections, a bar chart of component VaR and a line chart of the revalued path. */
export async function reportPdf(d: ReportData): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(ansi(`Portfolio report: ${d.value.portfolio.name}`));
  doc.setProducer('Meridian');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  let page = doc.addPage([595, 842]);
  let y = 800;
  const line = (text: string, f: PDFFont = font, size = 10) => {
    if (y < 60) {
      page = doc.addPage([595, 842]);
      y = 800;
    }
    page.drawText(ansi(text), { x: 40, y, size, font: f });
    y -= size + 5;
  };
  for (const l of reportMarkdown(d).split('\n')) {
    if (l.startsWith('|---')) continue;
    if (l.startsWith('# ')) line(l.slice(2), bold, 16);
    else if (l.startsWith('## ')) {
      y -= 4;
      line(l.slice(3), bold, 12);
    } else if (l.trim()) line(l.replaceAll('|', '  ').trim(), font, 9);
  }
  // Charts on their own page, drawn from the figures.
  page = doc.addPage([595, 842]);
  drawBars(page, bold, font, d);
  drawPath(page, bold, font, d);
  return doc.save();
}

function drawBars(page: PDFPage, bold: PDFFont, font: PDFFont, d: ReportData) {
  page.drawText('Component VaR (95%, 1 day)', { x: 40, y: 800, size: 12, font: bold });
  const rows = (d.risk.components?.rows ?? []).slice(0, 20);
  const max = Math.max(1e-9, ...rows.map((r) => Math.abs(r.component_var)));
  rows.forEach((r, i) => {
    const y = 775 - i * 16;
    const w = (Math.abs(r.component_var) / max) * 380;
    page.drawText(ansi(r.symbol.slice(0, 14)), { x: 40, y, size: 8, font });
    page.drawRectangle({
      x: 120,
      y: y - 2,
      width: Math.max(0.5, w),
      height: 10,
      color: r.component_var >= 0 ? rgb(0.8, 0.2, 0.2) : rgb(0.2, 0.6, 0.3),
    });
    page.drawText(r.component_var.toFixed(2), { x: 125 + w, y, size: 8, font });
  });
}

function drawPath(page: PDFPage, bold: PDFFont, font: PDFFont, d: ReportData) {
  const top = 400;
  page.drawText('Today’s holdings over the lookback (growth of 1)'.replace('’', "'"), {
    x: 40,
    y: top,
    size: 12,
    font: bold,
  });
  const r = d.risk.inputs.portfolioReturns;
  const path: number[] = [1];
  for (const x of r) path.push((path.at(-1) as number) * (1 + x));
  const lo = Math.min(...path);
  const hi = Math.max(...path);
  const span = hi - lo || 1;
  const x0 = 60;
  const y0 = 80;
  const W = 480;
  const H = 280;
  page.drawLine({ start: { x: x0, y: y0 }, end: { x: x0 + W, y: y0 }, thickness: 0.5 });
  page.drawLine({ start: { x: x0, y: y0 }, end: { x: x0, y: y0 + H }, thickness: 0.5 });
  for (let i = 1; i < path.length; i++) {
    const px = (k: number) => x0 + (k / Math.max(1, path.length - 1)) * W;
    const py = (v: number) => y0 + ((v - lo) / span) * H;
    page.drawLine({
      start: { x: px(i - 1), y: py(path[i - 1] as number) },
      end: { x: px(i), y: py(path[i] as number) },
      thickness: 1,
      color: rgb(0.1, 0.3, 0.7),
    });
  }
  page.drawText(`${lo.toFixed(3)}`, { x: 20, y: y0, size: 7, font });
  page.drawText(`${hi.toFixed(3)}`, { x: 20, y: y0 + H, size: 7, font });
}
