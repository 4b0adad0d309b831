// Small DOM and formatting helpers shared by the pages (no framework).

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | null>;

/** `h('td', { class: 'num' }, '1.00')`: an element with attributes (false/null omitted) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing`);
  return node as T;
};

/** Enough digits that a live tick visibly moves the price, whatever its magnitude. */
export function price(value: number | null | undefined, fixed?: number): string {
  if (value == null || !Number.isFinite(value)) return '—';
  const digits = fixed ?? (Math.abs(value) >= 1000 ? 2 : Math.abs(value) >= 1 ? 4 : 6);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function money(value: number | null | undefined): string {
  return price(value, 2);
}

/** A percentage already in percent (12.3 → "+12.30%"). */
export function pct(value: number | null | undefined): string {
  return value == null || !Number.isFinite(value) ? '—' : `${value > 0 ? '+' : ''}${value.toFixed(2)}%`;
}

/** A fraction as a percentage (0.123 → "+12.30%"). */
export const frac = (value: number | null | undefined) => pct(value == null ? null : value * 100);

export const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '—');
export const minute = (iso: string | null | undefined) =>
  iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : '—';

/** A signed number's class: up, down or none. */
export const sign = (value: number | null | undefined) =>
  value == null || value === 0 ? '' : value > 0 ? 'up' : 'down';

/** A table from rows: `headers` are [label, numeric?]; the body's cells are strings or nodes. */
export function table(
  caption: string,
  headers: [string, boolean?][],
  rows: Child[][],
  id?: string,
): HTMLTableElement {
  return h(
    'table',
    { id },
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...headers.map(([label, num]) => h('th', { scope: 'col', class: num ? 'num' : undefined }, label)),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((cells) =>
        h('tr', {}, ...cells.map((c, i) => h('td', { class: headers[i]?.[1] ? 'num' : undefined }, c))),
      ),
    ),
  );
}

/** A box that scrolls sideways on narrow screens: focusable and named, so keyboards can scroll it. */
export function scroller(label: string, id?: string, ...children: Child[]): HTMLDivElement {
  return h('div', { class: 'scroll', id, tabindex: 0, role: 'region', 'aria-label': label }, ...children);
}

let fieldIds = 0;

/**
 * A labelled form control: `<span class="field"><label for=…>Text</label><input id=…></span>`.
 * The label is associated by id rather than wrapped around the control, so the control's
 * accessible name is exactly the label's text (a wrapped select would add its chosen option).
 */
export function field(label: string, control: HTMLElement): HTMLElement {
  control.id ||= `field-${++fieldIds}`;
  const box = h('span', {
    class: control instanceof HTMLInputElement && control.type === 'checkbox' ? 'field check' : 'field',
  });
  box.append(h('label', { for: control.id }, label), control);
  return box;
}

export function select(name: string, options: [string, string][], value?: string): HTMLSelectElement {
  const s = h('select', { name });
  for (const [v, text] of options) s.append(h('option', { value: v, selected: v === value }, text));
  return s;
}

/** The message of anything thrown. */
export const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Shows an error in the shell's alert line (screen readers announce it). */
export function report(err: unknown): void {
  const node = document.getElementById('error');
  if (node) node.textContent = message(err);
}

export function clearError(): void {
  const node = document.getElementById('error');
  if (node) node.textContent = '';
}

/** Form fields as strings, trimmed. */
export function values(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new FormData(form)) out[k] = String(v).trim();
  return out;
}

/** A section with a heading, labelled by it. */
export function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': `${id}-title`, id },
    h('h2', { id: `${id}-title` }, title),
    ...children,
  );
}
