/**
 * The trades CSV codec: the documented column set, parsed into validated rows (every reason a
 * row is rejected, not just the first) and formatted back so that the two round-trip.
 *
 * Columns (header row required, names case-insensitive, any order, RFC 4180 quoting, CRLF or LF
 * line ends, a BOM tolerated):
 * | column | rule |
 * |---|---|
 * | date | YYYY-MM-DD or ISO date-time; required |
 * | type | buy, sell, add, remove, dividend, fee, split (003's deposit → add, withdraw → remove); required |
 * | asset_type | crypto, pk-equity, us-equity, etf, cash, metal; required |
 * | symbol | required unless asset_type is cash (cash defaults to USD); upper-cased |
 * | quantity | > 0; for split the ratio (new units per old unit); required |
 * | price | >= 0 per unit; required except for split (0 there) and cash (defaults to 1) |
 * | fees | >= 0, default 0; must be 0 for split |
 * | position_type | LONG, SHORT, CALL, PUT; default LONG |
 * | underlying, strike, expiry | required for CALL/PUT (expiry YYYY-MM-DD), not allowed otherwise |
 * | multiplier | > 0; default 100 for CALL/PUT, else 1 |
 * | notes | free text, at most 2,000 characters |
 *
 * Numbers stay exact decimal strings (never a float), written plainly: no thousands separators,
 * no exponent, no sign. Input is at most 8 MiB and `maxRows` data rows (default 10,000); beyond
 * either, or without the required columns, the whole file is refused with a `TradesCsvError`.
 * On export, text cells that a spreadsheet would run as a formula (leading = + - @, their
 * full-width forms, tab or CR, also after leading spaces) get a leading single quote; the
 * parser removes exactly one such quote again.
 */
import { z } from 'zod';

export const TRADE_CSV_COLUMNS = [
  'date',
  'type',
  'asset_type',
  'symbol',
  'quantity',
  'price',
  'fees',
  'position_type',
  'underlying',
  'strike',
  'expiry',
  'multiplier',
  'notes',
] as const;
export type TradeCsvColumn = (typeof TRADE_CSV_COLUMNS)[number];

export const CSV_ENTRY_TYPES = ['buy', 'sell', 'add', 'remove', 'dividend', 'fee', 'split'] as const;
export const CSV_ASSET_TYPES = ['crypto', 'pk-equity', 'us-equity', 'etf', 'cash', 'metal'] as const;
export const CSV_POSITION_TYPES = ['LONG', 'SHORT', 'CALL', 'PUT'] as const;

export const MAX_CSV_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_ROWS = 10_000;
/** Longest notes any trades route accepts, so every exported note re-imports. */
export const MAX_NOTES = 2000;
const REQUIRED_COLUMNS: readonly TradeCsvColumn[] = ['date', 'type', 'asset_type', 'quantity'];

/** One trade as the CSV describes it; all numbers are canonical decimal strings. */
export interface TradeCsvRow {
  date: string;
  type: (typeof CSV_ENTRY_TYPES)[number];
  assetType: (typeof CSV_ASSET_TYPES)[number];
  symbol: string;
  quantity: string;
  price: string;
  fees: string;
  positionType: (typeof CSV_POSITION_TYPES)[number];
  underlying: string | null;
  strike: string | null;
  expiry: string | null;
  multiplier: string;
  notes: string | null;
}

export interface ParsedTradeRow extends TradeCsvRow {
  /** 1-based line of the input where the row starts (the header is line 1 unless blank lines precede it). */
  line: number;
}

export interface RejectedTradeRow {
  line: number;
  /** The row's text as it appears in the file (without its line end). */
  raw: string;
  reasons: string[];
}

export interface ParsedTradesCsv {
  rows: ParsedTradeRow[];
  rejected: RejectedTradeRow[];
  /** File-level notes that do not reject anything, e.g. unknown columns (each reported once). */
  warnings: string[];
}

export type TradesCsvErrorCode =
  | 'CSV_TOO_LARGE'
  | 'CSV_TOO_MANY_ROWS'
  | 'CSV_NO_HEADER'
  | 'CSV_MISSING_COLUMNS'
  | 'CSV_DUPLICATE_COLUMNS'
  | 'CSV_MALFORMED';

/** The whole file is refused (as opposed to single rows, which go to `rejected`). */
export class TradesCsvError extends Error {
  override readonly name = 'TradesCsvError';
  constructor(
    readonly code: TradesCsvErrorCode,
    message: string,
    readonly line: number | null = null,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// RFC 4180 tokenizer

interface CsvRecord {
  fields: string[];
  line: number;
  raw: string;
  /** Quoting problems confined to this record (a stray quote, text after a closing quote). */
  problems: string[];
}

/**
 * Splits text into records. Line ends are CRLF, LF or a lone CR; quoted fields may hold commas,
 * quotes ("") and line ends. An unterminated quote swallows the rest of the file, so it refuses
 * the file rather than a row.
 */
function tokenize(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const start = i;
    const startLine = line;
    const fields: string[] = [];
    const problems: string[] = [];
    let end = n;
    let next = n;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const open = line;
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q === -1)
            throw new TradesCsvError('CSV_MALFORMED', `Unterminated quoted field from line ${open}.`, open);
          const chunk = text.slice(i, q);
          field += chunk;
          line += countLineEnds(chunk);
          if (text[q + 1] === '"') {
            field += '"';
            i = q + 2;
          } else {
            i = q + 1;
            break;
          }
        }
        // RFC 4180 allows nothing between a closing quote and the delimiter.
        if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          if (!problems.includes('malformed quoting')) problems.push('malformed quoting');
          while (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') field += text[i++];
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text[j];
          if (c === ',' || c === '\n' || c === '\r') break;
          j++;
        }
        field = text.slice(i, j);
        if (field.includes('"') && !problems.includes('malformed quoting'))
          problems.push('malformed quoting');
        i = j;
      }
      fields.push(field);
      if (i >= n) {
        end = n;
        next = n;
        break;
      }
      if (text[i] === ',') {
        i++;
        if (i >= n) {
          fields.push('');
          end = n;
          next = n;
          break;
        }
        continue;
      }
      // a line end
      end = i;
      next = text[i] === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
      line++;
      break;
    }
    records.push({ fields, line: startLine, raw: text.slice(start, end), problems });
    i = next;
  }
  return records;
}

function countLineEnds(s: string): number {
  let count = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 10) count++;
    else if (c === 13 && s.charCodeAt(k + 1) !== 10) count++;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Cell and row validation

const PLAIN_DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;
/**
 * A symbol (or an option's underlying) as the ledger keeps it, upper-cased: the one rule the
 * trades routes and the importer share, so every export re-imports.
 */
export const SYMBOL_RE = /^[A-Z0-9][A-Z0-9._\-/^=:]{0,31}$/;
export const SYMBOL_RULE = 'must be 1-32 letters, digits or . _ - / ^ = : (starting with a letter or digit)';
/**
 * What makes a spreadsheet run a cell as a formula: = + - @ (and their full-width and small
 * forms, which some spreadsheets fold to ASCII), tab or CR, also behind leading whitespace.
 */
const FORMULA_START = '[\\s\\u3000]*[=+\\-@\\uFF1D\\uFF0B\\uFF0D\\uFF20\\uFE62\\uFE63\\uFE66\\uFE6B\\t\\r]';
const FORMULA_TRIGGER = new RegExp(`^'*${FORMULA_START}`);
const ESCAPED_FORMULA = new RegExp(`^'+${FORMULA_START}`);
const NUMERIC_CELL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Strips leading zeros and trailing fractional zeros: "007.50" → "7.5", ".5" → "0.5". */
function canonicalDecimal(s: string): string {
  const dot = s.indexOf('.');
  let int = dot === -1 ? s : s.slice(0, dot);
  let frac = dot === -1 ? '' : s.slice(dot + 1);
  int = int.replace(/^0+(?=\d)/, '') || '0';
  frac = frac.replace(/0+$/, '');
  return frac ? `${int}.${frac}` : int;
}

function isValidCalendarDate(y: string, m: string, d: string): boolean {
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === `${y}-${m}-${d}`;
}

/** A decimal cell: plain digits, exact, canonicalised; `positive` demands > 0, else >= 0. */
function decimalCell(positive: boolean) {
  return z
    .string()
    .superRefine((s, ctx) => {
      if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) {
        ctx.addIssue({ code: 'custom', message: 'thousands separators are not allowed' });
      } else if (s.startsWith('-') && PLAIN_DECIMAL.test(s.slice(1))) {
        ctx.addIssue({ code: 'custom', message: 'must not be negative' });
      } else if (!PLAIN_DECIMAL.test(s)) {
        ctx.addIssue({ code: 'custom', message: `"${truncate(s)}" is not a plain decimal number` });
      } else if (s.length > 40) {
        ctx.addIssue({ code: 'custom', message: 'has more than 40 characters' });
      } else if (positive && /^[0.]*$/.test(s)) {
        ctx.addIssue({ code: 'custom', message: 'must be greater than 0' });
      }
    })
    .transform(canonicalDecimal);
}

const dateCell = z.string().refine(
  (s) => {
    const m = DATE_RE.exec(s) ?? DATE_TIME_RE.exec(s);
    return m !== null && isValidCalendarDate(m[1] as string, m[2] as string, m[3] as string);
  },
  { message: 'must be YYYY-MM-DD or an ISO date-time' },
);

const dayCell = z.string().refine(
  (s) => {
    const m = DATE_RE.exec(s);
    return m !== null && isValidCalendarDate(m[1] as string, m[2] as string, m[3] as string);
  },
  { message: 'must be YYYY-MM-DD' },
);

function enumCell<T extends string>(values: readonly T[], aliases: Record<string, T>, upper: boolean) {
  return z.string().transform((s, ctx) => {
    const key = upper ? s.toUpperCase() : s.toLowerCase();
    const hit = (values as readonly string[]).includes(key) ? (key as T) : aliases[key];
    if (hit === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${truncate(s)}" is not one of ${values.join(', ')}` });
      return z.NEVER;
    }
    return hit;
  });
}

const symbolCell = z
  .string()
  .transform((s) => s.toUpperCase())
  .refine((s) => SYMBOL_RE.test(s), { message: SYMBOL_RULE });

/** Each cell on its own: empty cells arrive as undefined, so presence rules live in `crossCheck`. */
const cellsSchema = z.object({
  date: dateCell.optional(),
  type: enumCell(CSV_ENTRY_TYPES, { deposit: 'add', withdraw: 'remove' }, false).optional(),
  asset_type: enumCell(CSV_ASSET_TYPES, {}, false).optional(),
  symbol: symbolCell.optional(),
  quantity: decimalCell(true).optional(),
  price: decimalCell(false).optional(),
  fees: decimalCell(false).optional(),
  position_type: enumCell(CSV_POSITION_TYPES, {}, true).optional(),
  underlying: symbolCell.optional(),
  strike: decimalCell(true).optional(),
  expiry: dayCell.optional(),
  multiplier: decimalCell(true).optional(),
  notes: z
    .string()
    .max(MAX_NOTES, { message: `must be at most ${MAX_NOTES} characters` })
    .optional(),
});
type Cells = z.output<typeof cellsSchema>;

/** Rules across cells. They test presence only, so a bad cell is never reported twice. */
function crossCheck(raw: Partial<Record<TradeCsvColumn, string>>, reasons: string[]): void {
  const type = raw.type?.toLowerCase();
  const assetType = raw.asset_type?.toLowerCase();
  const positionType = raw.position_type?.toUpperCase() ?? 'LONG';
  const isCash = assetType === 'cash';
  const isOption = positionType === 'CALL' || positionType === 'PUT';
  const isSplit = type === 'split';
  if (raw.date === undefined) reasons.push('date: is required');
  if (raw.type === undefined) reasons.push('type: is required');
  if (raw.asset_type === undefined) reasons.push('asset_type: is required');
  if (raw.quantity === undefined) reasons.push('quantity: is required');
  if (raw.symbol === undefined && !isCash) reasons.push('symbol: is required unless asset_type is cash');
  if (raw.price === undefined && !isSplit && !isCash) reasons.push('price: is required');
  if (isSplit && raw.fees !== undefined && !/^[0.]+$/.test(raw.fees))
    reasons.push('fees: must be 0 for a split');
  if (isCash) {
    if (type === 'buy' || type === 'sell' || type === 'split') {
      reasons.push(`type: a cash row must be add, remove, fee or dividend, not ${type}`);
    }
    if (positionType !== 'LONG') reasons.push('position_type: a cash row must be LONG');
  }
  for (const col of ['underlying', 'strike', 'expiry'] as const) {
    if (isOption && raw[col] === undefined) reasons.push(`${col}: is required for ${positionType}`);
    if (!isOption && raw[col] !== undefined) reasons.push(`${col}: only applies to CALL and PUT`);
  }
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function utf8Length(text: string): number {
  // Every UTF-16 unit is at most 3 UTF-8 bytes, so most inputs need no encoding to be measured.
  if (text.length * 3 <= MAX_CSV_BYTES) return text.length;
  return new TextEncoder().encode(text).length;
}

function normalizeHeader(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

function unescapeFormula(s: string): string {
  return ESCAPED_FORMULA.test(s) ? s.slice(1) : s;
}

/**
 * Parses a trades CSV. Rows that fail validation are returned in `rejected` with every reason;
 * blank lines (and rows of empty cells) are skipped. Throws `TradesCsvError` when the file as a
 * whole is unusable: over 8 MiB, over `maxRows` data rows, no header, missing required columns,
 * a column named twice, or an unterminated quote.
 */
export function parseTradesCsv(text: string, options: { maxRows?: number } = {}): ParsedTradesCsv {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const size = utf8Length(text);
  if (size > MAX_CSV_BYTES) {
    throw new TradesCsvError('CSV_TOO_LARGE', `The file is ${size} bytes; the limit is ${MAX_CSV_BYTES}.`);
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records = tokenize(body).filter((r) => r.fields.some((f) => f.trim() !== ''));
  const header = records[0];
  if (!header) throw new TradesCsvError('CSV_NO_HEADER', 'The file is empty; a header row is required.');
  const dataRows = records.length - 1;
  if (dataRows > maxRows) {
    throw new TradesCsvError('CSV_TOO_MANY_ROWS', `The file has ${dataRows} rows; the limit is ${maxRows}.`);
  }

  const warnings: string[] = [];
  const columns: (TradeCsvColumn | null)[] = [];
  const seen = new Set<string>();
  for (const name of header.fields) {
    const key = normalizeHeader(name);
    if (seen.has(key) && key !== '') {
      throw new TradesCsvError('CSV_DUPLICATE_COLUMNS', `Column "${key}" appears twice.`, header.line);
    }
    seen.add(key);
    if ((TRADE_CSV_COLUMNS as readonly string[]).includes(key)) {
      columns.push(key as TradeCsvColumn);
    } else {
      columns.push(null);
      warnings.push(`unknown column "${truncate(name.trim())}" ignored`);
    }
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new TradesCsvError(
      'CSV_MISSING_COLUMNS',
      `The header lacks required column(s): ${missing.join(', ')}.`,
      header.line,
    );
  }

  const rows: ParsedTradeRow[] = [];
  const rejected: RejectedTradeRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r] as CsvRecord;
    const reasons = [...rec.problems];
    if (rec.fields.length !== columns.length) {
      reasons.push(`has ${rec.fields.length} fields; the header has ${columns.length}`);
    }
    const raw: Partial<Record<TradeCsvColumn, string>> = {};
    for (let c = 0; c < columns.length; c++) {
      const col = columns[c];
      const value = rec.fields[c]?.trim();
      if (col && value)
        raw[col] =
          col === 'notes' || col === 'underlying' || col === 'symbol' ? unescapeFormula(value) : value;
    }
    const parsed = cellsSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) reasons.push(`${issue.path.join('.')}: ${issue.message}`);
    }
    crossCheck(raw, reasons);
    if (reasons.length > 0 || !parsed.success) {
      rejected.push({ line: rec.line, raw: rec.raw, reasons });
      continue;
    }
    rows.push(toRow(parsed.data, rec.line));
  }
  return { rows, rejected, warnings };
}

function toRow(c: Cells, line: number): ParsedTradeRow {
  // crossCheck has guaranteed the presence of everything asserted here.
  const assetType = c.asset_type as TradeCsvRow['assetType'];
  const type = c.type as TradeCsvRow['type'];
  const positionType = c.position_type ?? 'LONG';
  const isOption = positionType === 'CALL' || positionType === 'PUT';
  const isCash = assetType === 'cash';
  return {
    line,
    date: c.date as string,
    type,
    assetType,
    symbol: c.symbol ?? 'USD',
    quantity: c.quantity as string,
    price: c.price ?? (isCash ? '1' : '0'),
    fees: c.fees ?? '0',
    positionType,
    underlying: c.underlying ?? null,
    strike: c.strike ?? null,
    expiry: c.expiry ?? null,
    multiplier: c.multiplier ?? (isOption ? '100' : '1'),
    notes: c.notes ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

export function csvCell(value: string, numeric: boolean): string {
  let v = value;
  // A spreadsheet runs cells starting with = + - @ (or tab/CR) as formulas. Numbers are data,
  // and a leading quote on an already-escaped cell is doubled so the parser's unescape is exact.
  if (!numeric && !NUMERIC_CELL.test(v) && FORMULA_TRIGGER.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * Formats rows as a CSV with the documented columns in their documented order, CRLF line ends
 * and RFC 4180 quoting. `parseTradesCsv(formatTradesCsv(rows)).rows` gives the rows back (with
 * line numbers) for any rows the parser produced.
 */
export function formatTradesCsv(rows: readonly TradeCsvRow[]): string {
  const lines = [TRADE_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      [
        csvCell(r.date, false),
        csvCell(r.type, false),
        csvCell(r.assetType, false),
        csvCell(r.symbol, false),
        csvCell(r.quantity, true),
        csvCell(r.price, true),
        csvCell(r.fees, true),
        csvCell(r.positionType, false),
        csvCell(r.underlying ?? '', false),
        csvCell(r.strike ?? '', true),
        csvCell(r.expiry ?? '', false),
        csvCell(r.multiplier, true),
        csvCell(r.notes ?? '', false),
      ].join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
