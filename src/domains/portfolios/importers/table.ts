import { D } from '../ledger';

/** One record of a delimited file: its cells, 1-based line and raw text. */
export interface Rec {
  cells: string[];
  line: number;
  raw: string;
}

/** RFC 4180 records with any single-character delimiter; a BOM is dropped; blank lines skipped. */
export function records(text: string, delimiter = ','): Rec[] {
  const s = text.replace(/^\uFEFF/, '');
  const out: Rec[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 0;
  let startLine = 1;
  let touched = false;
  const end = (i: number) => {
    cells.push(cell);
    const raw = s.slice(start, i).replace(/\r$/, '');
    if (touched || cells.length > 1 || cells[0] !== '') out.push({ cells, line: startLine, raw });
    cells = [];
    cell = '';
    touched = false;
  };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === '"') {
      quoted = true;
      touched = true;
    } else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
      touched = true;
    } else if (ch === '\n') {
      end(i);
      line++;
      start = i + 1;
      startLine = line;
    } else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || cells.length > 0 || touched) end(s.length);
  return out;
}

/** A header map: lower-cased, trimmed names to their first index. */
/** A headed export: its header's column index and the rows under it; null for an empty file. */
export function headedRecords(text: string, delimiter = ','): { h: Map<string, number>; rows: Rec[] } | null {
  const [head, ...rows] = records(text, delimiter);
  return head ? { h: headerIndex(head.cells), rows } : null;
}

export function headerIndex(cells: string[]): Map<string, number> {
  const m = new Map<string, number>();
  cells.forEach((c, i) => {
    const k = c.trim().toLowerCase();
    if (!m.has(k)) m.set(k, i);
  });
  return m;
}

/** Cell by header name (case-insensitive); '' when absent. */
export function cellOf(rec: Rec, header: Map<string, number>, name: string): string {
  const i = header.get(name.toLowerCase());
  return i === undefined ? '' : (rec.cells[i] ?? '').trim();
}

/**
 * A decimal from an export's text: currency signs ($ € £), thousands separators, a leading
 * or trailing minus, scientific notation, and (with `comma`) a decimal comma. Null if not a number.
 */
export function decimal(text: string, options: { comma?: boolean } = {}): InstanceType<typeof D> | null {
  let t = text
    .trim()
    .replace(/[$€£\s]/g, '')
    .replace(/^(USD|EUR|GBP|CHF)/i, '');
  if (t === '' || t === '-') return null;
  // A decimal comma only where the text has a comma (DEGIRO mixes "26,45" and -1.00 in one file).
  if (options.comma && t.includes(',')) t = t.replace(/\./g, '').replace(',', '.');
  else t = t.replace(/,/g, '');
  let neg = false;
  if (t.startsWith('(') && t.endsWith(')')) {
    neg = true;
    t = t.slice(1, -1);
  }
  if (t.endsWith('-')) {
    neg = true;
    t = t.slice(0, -1);
  }
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const v = new D(t);
  return neg ? v.neg() : v;
}

/** A decimal as the ledger writes it: plain, at most 18 places, no sign. */
export const plain = (d: InstanceType<typeof D>) => d.abs().toDecimalPlaces(18).toFixed();

/** ISO date-time (UTC) from the common export forms; null when unreadable. */
export function isoDate(text: string): string | null {
  const t = text.trim();
  let m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/.exec(
      t,
    );
  if (m) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
    const offset =
      zone && zone !== 'Z' && zone !== 'UTC' ? zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
    const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString().replace('.000Z', 'Z');
  }
  // YYYYMMDD, optionally ;HHMMSS (IBKR Flex)
  m = /^(\d{4})(\d{2})(\d{2})(?:[;, ](\d{2})(\d{2})(\d{2}))?$/.exec(t);
  if (m) return isoDate(`${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}Z`);
  // DD.MM.YYYY HH:MM(:SS) (CoinTracking), DD-MM-YYYY (Degiro)
  m = /^(\d{2})[.-](\d{2})[.-](\d{4})(?:\s+(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (m) return isoDate(`${m[3]}-${m[2]}-${m[1]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}Z`);
  // MM/DD/YYYY (US), optionally with a time
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?/.exec(t);
  if (m) {
    const p = (x: string | undefined) => (x ?? '0').padStart(2, '0');
    return isoDate(`${m[3]}-${p(m[1])}-${p(m[2])}T${p(m[4])}:${p(m[5])}:${p(m[6])}Z`);
  }
  return null;
}
