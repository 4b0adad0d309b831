import { describe, expect, it } from 'vitest';
import {
  formatTradesCsv,
  MAX_CSV_BYTES,
  type ParsedTradeRow,
  parseTradesCsv,
  TRADE_CSV_COLUMNS,
  TradesCsvError,
} from '../../../src/domains/portfolios/csv';

function csvError(fn: () => unknown): TradesCsvError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TradesCsvError) return err;
    throw err;
  }
  throw new Error('expected a TradesCsvError');
}

const withoutLine = (rows: ParsedTradeRow[]) => rows.map(({ line: _line, ...rest }) => rest);

describe('parseTradesCsv: valid files', () => {
  it('parses a BOM, CRLF, any column order, case-insensitive names and quoted commas and newlines', () => {
    const text =
      '\uFEFFSymbol,DATE,Type,asset_type,Quantity,price,fees,notes\r\n' +
      'BTC,2024-01-02,buy,crypto,0.5,"42,000.50",1.25,"first, ""core"" buy\r\nsecond line"\r\n' +
      'luck,2024-01-03T10:15:00Z,SELL,pk-equity,100,650,0,\r\n';
    const { rows, rejected, warnings } = parseTradesCsv(text);
    // "42,000.50" is quoted, so the comma is data — and then a thousands separator, rejected.
    expect(rows).toHaveLength(1);
    expect(rejected).toEqual([
      {
        line: 2,
        raw: 'BTC,2024-01-02,buy,crypto,0.5,"42,000.50",1.25,"first, ""core"" buy\r\nsecond line"',
        reasons: ['price: thousands separators are not allowed'],
      },
    ]);
    expect(warnings).toEqual([]);
    expect(rows[0]).toEqual({
      line: 4,
      date: '2024-01-03T10:15:00Z',
      type: 'sell',
      assetType: 'pk-equity',
      symbol: 'LUCK',
      quantity: '100',
      price: '650',
      fees: '0',
      positionType: 'LONG',
      underlying: null,
      strike: null,
      expiry: null,
      multiplier: '1',
      notes: null,
    });
  });

  it('keeps quoted commas, quotes and newlines in notes, with LF line ends', () => {
    const text =
      'date,type,asset_type,symbol,quantity,price,notes\n2024-01-02,buy,crypto,eth,2,2500.10,"a, ""b""\nc"\n';
    const { rows } = parseTradesCsv(text);
    expect(rows.map((r) => [r.line, r.symbol, r.price, r.notes])).toEqual([
      [2, 'ETH', '2500.1', 'a, "b"\nc'],
    ]);
  });

  it('applies defaults: fees 0, LONG, multiplier 1 (100 for options), cash symbol USD and price 1, split price 0', () => {
    const text = [
      'date,type,asset_type,symbol,quantity,price,position_type,underlying,strike,expiry',
      '2024-01-02,deposit,cash,,5000,,,,,',
      '2024-01-03,buy,us-equity,AAPL,10,190.5,,,,',
      '2024-01-04,buy,us-equity,AAPL240621C00200000,2,3.15,call,AAPL,200,2024-06-21',
      '2024-01-05,split,us-equity,AAPL,4,,,,,',
      '2024-01-06,withdraw,cash,EUR,100,1.08,,,,',
    ].join('\n');
    const { rows, rejected } = parseTradesCsv(text);
    expect(rejected).toEqual([]);
    expect(
      rows.map((r) => [r.type, r.assetType, r.symbol, r.price, r.fees, r.positionType, r.multiplier]),
    ).toEqual([
      ['add', 'cash', 'USD', '1', '0', 'LONG', '1'],
      ['buy', 'us-equity', 'AAPL', '190.5', '0', 'LONG', '1'],
      ['buy', 'us-equity', 'AAPL240621C00200000', '3.15', '0', 'CALL', '100'],
      ['split', 'us-equity', 'AAPL', '0', '0', 'LONG', '1'],
      ['remove', 'cash', 'EUR', '1.08', '0', 'LONG', '1'],
    ]);
    expect(rows[2]).toMatchObject({ underlying: 'AAPL', strike: '200', expiry: '2024-06-21' });
  });

  it('keeps numbers as exact canonical decimal strings', () => {
    const text =
      'date,type,asset_type,symbol,quantity,price,fees,multiplier\n2024-01-02,buy,crypto,BTC,0.10000000,00065000.123456789012345678,.5,1.0\n';
    const [row] = parseTradesCsv(text).rows;
    expect([row?.quantity, row?.price, row?.fees, row?.multiplier]).toEqual([
      '0.1',
      '65000.123456789012345678',
      '0.5',
      '1',
    ]);
  });

  it('reports unknown columns once and skips blank lines and rows of empty cells', () => {
    const text =
      'date,type,asset_type,symbol,quantity,price,Broker,extra\n\n2024-01-02,buy,etf,SPY,1,500,IBKR,x\n,,,,,,,\n2024-01-03,buy,etf,SPY,1,501,IBKR,y\n';
    const { rows, rejected, warnings } = parseTradesCsv(text);
    expect(warnings).toEqual(['unknown column "Broker" ignored', 'unknown column "extra" ignored']);
    expect(rejected).toEqual([]);
    expect(rows.map((r) => r.line)).toEqual([3, 5]);
  });

  it('accepts header names with spaces or hyphens for underscores', () => {
    const text =
      'Date,Type,Asset Type,Symbol,Quantity,Price,Position-Type\n2024-01-02,sell,crypto,ETH,1,3000,short\n';
    expect(parseTradesCsv(text).rows[0]).toMatchObject({ assetType: 'crypto', positionType: 'SHORT' });
  });
});

describe('parseTradesCsv: rejected rows', () => {
  const header =
    'date,type,asset_type,symbol,quantity,price,fees,position_type,underlying,strike,expiry,multiplier,notes';

  it('lists every reason for a row, not just the first', () => {
    const text = `${header}\n2024-02-30,gift,stocks,,-1,1e3,-2,LONG,,,,0,\n`;
    const { rows, rejected } = parseTradesCsv(text);
    expect(rows).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.line).toBe(2);
    expect(rejected[0]?.raw).toBe('2024-02-30,gift,stocks,,-1,1e3,-2,LONG,,,,0,');
    expect(rejected[0]?.reasons).toEqual([
      'date: must be YYYY-MM-DD or an ISO date-time',
      'type: "gift" is not one of buy, sell, add, remove, dividend, fee, split',
      'asset_type: "stocks" is not one of crypto, pk-equity, us-equity, etf, cash, metal',
      'quantity: must not be negative',
      'price: "1e3" is not a plain decimal number',
      'fees: must not be negative',
      'multiplier: must be greater than 0',
      'symbol: is required unless asset_type is cash',
    ]);
  });

  it('requires the option fields for CALL/PUT and refuses them otherwise', () => {
    const text = [
      header,
      '2024-03-01,buy,us-equity,X,1,2,0,PUT,,,,,',
      '2024-03-01,buy,us-equity,X,1,2,0,LONG,X,100,2024-06-21,,',
      '2024-03-01,buy,us-equity,X,1,2,0,CALL,X,0,2024-06-21T00:00:00Z,,',
    ].join('\n');
    const { rejected } = parseTradesCsv(text);
    expect(rejected.map((r) => r.reasons)).toEqual([
      ['underlying: is required for PUT', 'strike: is required for PUT', 'expiry: is required for PUT'],
      [
        'underlying: only applies to CALL and PUT',
        'strike: only applies to CALL and PUT',
        'expiry: only applies to CALL and PUT',
      ],
      ['strike: must be greater than 0', 'expiry: must be YYYY-MM-DD'],
    ]);
  });

  it('enforces required cells, cash rules, split fees and the field count', () => {
    const text = [
      header,
      ',,,,,,,,,,,,note only',
      '2024-03-01,buy,cash,,10,1,,,,,,,',
      '2024-03-01,add,cash,,10,1,,SHORT,,,,,',
      '2024-03-01,split,crypto,BTC,2,,0.5,,,,,,',
      '2024-03-01,buy,crypto,BTC,1',
      '2024-03-01,buy,crypto,BTC,1,2,0,LONG,,,,1,,extra',
      '2024-03-01,buy,crypto,BTC,0,2,0,,,,,,',
      '2024-03-01,buy,crypto,BT C,1,2,0,,,,,,',
    ].join('\n');
    const { rows, rejected } = parseTradesCsv(text);
    expect(rows).toEqual([]);
    expect(rejected.map((r) => [r.line, r.reasons])).toEqual([
      [
        2,
        [
          'date: is required',
          'type: is required',
          'asset_type: is required',
          'quantity: is required',
          'symbol: is required unless asset_type is cash',
          'price: is required',
        ],
      ],
      [3, ['type: a cash row must be add, remove, fee or dividend, not buy']],
      [4, ['position_type: a cash row must be LONG']],
      [5, ['fees: must be 0 for a split']],
      [6, ['has 5 fields; the header has 13', 'price: is required']],
      [7, ['has 14 fields; the header has 13']],
      [8, ['quantity: must be greater than 0']],
      [9, ['symbol: must be 1-32 letters, digits or . _ - / ^ = : (starting with a letter or digit)']],
    ]);
  });

  it('rejects malformed quoting in a row without losing the rest of the file', () => {
    const text = `${header}\n2024-03-01,buy,crypto,BTC,1,2,0,,,,,,say "hi"\n2024-03-01,buy,crypto,BTC,1,2,0,,,,,,"ok"x\n2024-03-02,buy,crypto,ETH,1,2,0,,,,,,fine\n`;
    const { rows, rejected } = parseTradesCsv(text);
    expect(rejected.map((r) => [r.line, r.reasons])).toEqual([
      [2, ['malformed quoting']],
      [3, ['malformed quoting']],
    ]);
    expect(rows.map((r) => [r.line, r.symbol])).toEqual([[4, 'ETH']]);
  });

  it('numbers rejected rows by their first physical line even after multi-line cells', () => {
    const text = `${header}\n2024-03-01,buy,crypto,BTC,1,2,0,,,,,,"two\nlines"\n2024-03-01,buy,crypto,BTC,x,2,0,,,,,,\n`;
    const { rows, rejected } = parseTradesCsv(text);
    expect(rows[0]?.line).toBe(2);
    expect(rejected[0]?.line).toBe(4);
  });
});

describe('parseTradesCsv: whole-file refusals', () => {
  it('refuses an empty file, missing required columns and duplicate columns', () => {
    expect(csvError(() => parseTradesCsv('')).code).toBe('CSV_NO_HEADER');
    expect(csvError(() => parseTradesCsv('\uFEFF\r\n\r\n')).code).toBe('CSV_NO_HEADER');
    const missing = csvError(() => parseTradesCsv('date,symbol,price\n2024-01-01,BTC,1\n'));
    expect(missing.code).toBe('CSV_MISSING_COLUMNS');
    expect(missing.message).toContain('type, asset_type, quantity');
    expect(csvError(() => parseTradesCsv('date,type,asset_type,quantity,Date\n')).code).toBe(
      'CSV_DUPLICATE_COLUMNS',
    );
  });

  it('refuses an unterminated quote', () => {
    const err = csvError(() =>
      parseTradesCsv('date,type,asset_type,quantity,notes\n2024-01-01,buy,crypto,1,"open\n'),
    );
    expect(err.code).toBe('CSV_MALFORMED');
    expect(err.line).toBe(2);
  });

  it('refuses more than maxRows data rows (default 10,000)', () => {
    const row = '2024-01-01,buy,crypto,BTC,1,1\n';
    const head = 'date,type,asset_type,symbol,quantity,price\n';
    expect(parseTradesCsv(head + row.repeat(3), { maxRows: 3 }).rows).toHaveLength(3);
    expect(csvError(() => parseTradesCsv(head + row.repeat(4), { maxRows: 3 })).code).toBe(
      'CSV_TOO_MANY_ROWS',
    );
    expect(parseTradesCsv(head + row.repeat(10_000)).rows).toHaveLength(10_000);
    expect(csvError(() => parseTradesCsv(head + row.repeat(10_001))).code).toBe('CSV_TOO_MANY_ROWS');
  });

  it('refuses input over 8 MiB, counting UTF-8 bytes', () => {
    const head = 'date,type,asset_type,symbol,quantity,price,notes\n';
    expect(csvError(() => parseTradesCsv(head + 'x'.repeat(MAX_CSV_BYTES))).code).toBe('CSV_TOO_LARGE');
    // 3 MiB of a 3-byte character is 9 MiB of UTF-8, though only 3 Mi UTF-16 units.
    expect(csvError(() => parseTradesCsv(head + '€'.repeat(3 * 1024 * 1024))).code).toBe('CSV_TOO_LARGE');
  });
});

describe('formatTradesCsv', () => {
  const source = [
    'date,type,asset_type,symbol,quantity,price,fees,position_type,underlying,strike,expiry,multiplier,notes',
    '2024-01-02,add,cash,USD,5000,1,0,LONG,,,,1,opening deposit',
    '2024-01-03T09:30:00Z,buy,us-equity,AAPL,10,190.5,1,LONG,,,,1,"says ""buy"", then waits\nline two"',
    '2024-01-04,buy,us-equity,AAPL240621C00200000,2,3.15,0.65,CALL,AAPL,200,2024-06-21,100,"=HYPERLINK(""http://evil"")"',
    '2024-01-05,sell,crypto,ETH,0.00000001,3000,0,SHORT,,,,1,-5',
    '2024-01-06,fee,crypto,BTC,1,2.5,0,LONG,,,,1,@SUM(A1)',
    '2024-01-07,dividend,etf,SPY,10,1.5,0,LONG,,,,1,+1 bonus',
    "2024-01-08,split,etf,SPY,2,0,0,LONG,,,,1,''=already quoted",
    "2024-01-09,fee,cash,USD,1,3,0,LONG,,,,1,'=from our own export",
  ].join('\r\n');

  it('round-trips with the parser', () => {
    const first = parseTradesCsv(source);
    expect(first.rejected).toEqual([]);
    expect(first.rows).toHaveLength(8);
    const text = formatTradesCsv(first.rows);
    const second = parseTradesCsv(text);
    expect(second.rejected).toEqual([]);
    expect(withoutLine(second.rows)).toEqual(withoutLine(first.rows));
    // And formatting is stable.
    expect(formatTradesCsv(second.rows)).toBe(text);
  });

  it('writes the documented columns in order with CRLF and RFC 4180 quoting', () => {
    const text = formatTradesCsv(parseTradesCsv(source).rows);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(TRADE_CSV_COLUMNS.join(','));
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text).toContain('"says ""buy"", then waits\nline two"');
    expect(formatTradesCsv([])).toBe(`${TRADE_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('defuses formula cells but leaves numeric cells alone', () => {
    const text = formatTradesCsv(parseTradesCsv(source).rows);
    expect(text).toContain(`,100,"'=HYPERLINK(""http://evil"")"\r\n`);
    expect(text).toContain(",'@SUM(A1)\r\n");
    expect(text).toContain(",'+1 bonus\r\n");
    // A numeric text cell is data, not a formula: no quote.
    expect(text).toContain(',1,-5\r\n');
    // An already-quoted formula gains one more quote, so the parser's unescape gives it back.
    expect(text).toContain(",''=already quoted\r\n");
    const notes = parseTradesCsv(text).rows.map((r) => r.notes);
    expect(notes.slice(2)).toEqual([
      '=HYPERLINK("http://evil")',
      '-5',
      '@SUM(A1)',
      '+1 bonus',
      "'=already quoted",
      '=from our own export',
    ]);
  });
});

describe('formatTradesCsv: formula triggers behind spaces and in full-width forms', () => {
  const row = (notes: string): ParsedTradeRow => ({
    line: 2,
    date: '2023-12-01',
    type: 'fee',
    assetType: 'cash',
    symbol: 'USD',
    quantity: '1',
    price: '1',
    fees: '0',
    positionType: 'LONG',
    underlying: null,
    strike: null,
    expiry: null,
    multiplier: '1',
    notes,
  });

  it.each([
    ' =1+1',
    '  @SUM(A1)',
    '\u3000=1+1',
    '\uFF1D1+1',
    '\uFF0B1',
    '\uFF0D1',
    '\uFF20SUM(A1)',
    '\uFE66cmd',
    ' \t=1',
    '\tcmd',
    '\r=1',
  ])('quotes %j and re-imports it exactly', (notes) => {
    const text = formatTradesCsv([row(notes)]);
    const cell = text.split('\r\n')[1]?.split(',').slice(12).join(',') ?? '';
    // The cell starts with the quote (inside RFC 4180 quotes when it holds a CR).
    expect(cell.replace(/^"/, '').startsWith("'")).toBe(true);
    const back = parseTradesCsv(text);
    expect(back.rejected).toEqual([]);
    expect(back.rows[0]?.notes).toBe(notes);
  });

  it('leaves ordinary text and numbers alone', () => {
    for (const notes of ['plain note', '-5', '+1.5', 'a=b', '\uFF21BC']) {
      expect(
        formatTradesCsv([row(notes)])
          .split('\r\n')[1]
          ?.endsWith(`,${notes}`),
      ).toBe(true);
    }
  });
});
