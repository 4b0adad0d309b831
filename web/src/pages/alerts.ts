// Alerts and notifications: create, edit, pause and delete price/indicator alerts; the live
// notification feed (the shell's socket); Web Push from this browser (VAPID key from the API).
import { type Alert, type AlertType, api } from '../api';
import type { PageModule } from '../router';
import { loadNotices, notices } from '../shell';
import { field, h, message, minute, price, report, scroller, section, select, table, values } from '../ui';

const TYPES: [AlertType, string, string][] = [
  ['price_above', 'Price above', 'threshold'],
  ['price_below', 'Price below', 'threshold'],
  ['price_crosses', 'Price crosses', 'threshold'],
  ['percent_change', '24h change beyond (%)', 'percent'],
  ['rsi_above', 'RSI(14) above', 'threshold'],
  ['rsi_below', 'RSI(14) below', 'threshold'],
];

export const page: PageModule = {
  title: 'Alerts',
  async render({ root, query, signal }) {
    const list = scroller('Alerts table', 'alerts-list');
    const feed = h('ul', { id: 'feed', 'aria-live': 'polite' });
    const unread = h('small', { id: 'feed-unread' });
    const formError = h('p', { class: 'failure', role: 'alert', id: 'alert-error' });
    const form = h(
      'form',
      { id: 'alert-form', class: 'grid-form' },
      field(
        'Asset',
        h('input', {
          name: 'asset_id',
          required: true,
          value: query.get('asset') ?? 'BTC',
          autocomplete: 'off',
          maxlength: 64,
        }),
      ),
      field(
        'Condition',
        select(
          'alert_type',
          TYPES.map(([v, l]) => [v, l]),
          'price_above',
        ),
      ),
      field('Value', h('input', { name: 'value', required: true, inputmode: 'decimal' })),
      field('Name', h('input', { name: 'name', maxlength: 200 })),
      h('button', { type: 'submit' }, 'Create alert'),
      formError,
    );
    const push = h('button', { type: 'button', id: 'push-subscribe' }, 'Send notifications to this browser');
    const pushState = h('span', { id: 'push-state', class: 'note' });
    const markRead = h('button', { type: 'button' }, 'Mark all read');
    root.append(
      section('alert-create', 'New alert', form),
      section('alerts-section', 'Your alerts', list),
      h(
        'section',
        { 'aria-labelledby': 'feed-title' },
        h('h2', { id: 'feed-title' }, 'Notifications ', unread),
        h('p', {}, markRead, ' ', push, ' ', pushState),
        feed,
      ),
    );

    const draw = async () => {
      const { alerts } = await api.alerts.list();
      list.replaceChildren(
        alerts.length
          ? table(
              'Alerts are checked on every price tick; a triggered alert notifies you here, live',
              [
                ['Alert'],
                ['Asset'],
                ['Condition'],
                ['Last price', true],
                ['Triggered'],
                ['State'],
                ['Actions'],
              ],
              alerts.map((a) => [
                a.name ?? a.description,
                a.symbol,
                a.description,
                price(a.current_price),
                a.last_triggered_at ? `${a.trigger_count}× · ${minute(a.last_triggered_at)}` : 'never',
                a.is_active ? 'active' : 'paused',
                actions(a),
              ]),
              'alerts-table',
            )
          : h('p', {}, 'No alerts yet.'),
      );
      for (const [i, a] of alerts.entries())
        list.querySelectorAll('tbody tr')[i]?.setAttribute('data-id', a.id);
    };
    const actions = (a: Alert) => {
      const pause = h(
        'button',
        {
          type: 'button',
          class: 'small',
          'aria-label': `${a.is_active ? 'Pause' : 'Resume'} ${a.name ?? a.description}`,
        },
        a.is_active ? 'Pause' : 'Resume',
      );
      const edit = h(
        'button',
        { type: 'button', class: 'small', 'aria-label': `Edit ${a.name ?? a.description}` },
        'Edit',
      );
      const del = h(
        'button',
        { type: 'button', class: 'small danger', 'aria-label': `Delete ${a.name ?? a.description}` },
        'Delete',
      );
      pause.addEventListener(
        'click',
        () => void api.alerts.update(a.id, { is_active: !a.is_active }).then(draw).catch(report),
      );
      del.addEventListener('click', () => void api.alerts.remove(a.id).then(draw).catch(report));
      edit.addEventListener('click', () => {
        // Editing is inline: a small form in place of the buttons, for the value and the name.
        const key = a.alert_type === 'percent_change' ? 'percent' : 'threshold';
        const current = a.params[key];
        const valueInput = h('input', {
          name: 'value',
          required: true,
          inputmode: 'decimal',
          value: current == null ? '' : String(current),
        });
        const nameInput = h('input', { name: 'name', value: a.name ?? '' });
        const f = h(
          'form',
          { class: 'inline' },
          field('Value', valueInput),
          field('Name', nameInput),
          h('button', { type: 'submit', class: 'small' }, 'Save'),
        );
        f.addEventListener('submit', (e) => {
          e.preventDefault();
          void api.alerts
            .update(a.id, { params: { [key]: Number(valueInput.value) }, name: nameInput.value || null })
            .then(draw)
            .catch(report);
        });
        edit.parentElement?.replaceChildren(f);
        valueInput.focus();
      });
      return h('span', { class: 'actions' }, pause, ' ', edit, ' ', del);
    };
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      formError.textContent = '';
      const v = values(form);
      const type = TYPES.find(([t]) => t === v.alert_type) ?? (TYPES[0] as (typeof TYPES)[number]);
      const value = Number(v.value);
      if (!Number.isFinite(value)) {
        formError.textContent = 'Value must be a number.';
        return;
      }
      try {
        await api.alerts.create({
          asset_id: (v.asset_id ?? '').toUpperCase(),
          alert_type: type[0],
          params: { [type[2]]: value },
          ...(v.name ? { name: v.name } : {}),
        });
        (form.elements.namedItem('value') as HTMLInputElement).value = '';
        (form.elements.namedItem('name') as HTMLInputElement).value = '';
        await draw();
      } catch (err) {
        formError.textContent = message(err);
      }
    });

    const drawFeed = (e?: Event) => {
      feed.replaceChildren(
        ...notices.list.map((n) =>
          h(
            'li',
            { class: `notice priority-${n.priority}`, 'data-id': n.id },
            h('strong', {}, n.title),
            h('p', {}, n.message),
            h('time', { datetime: n.created_at }, new Date(n.created_at).toLocaleString()),
          ),
        ),
      );
      unread.textContent = `${notices.unread} unread`;
      // A fresh notification is usually an alert that just fired: its trigger count changed.
      if (e instanceof CustomEvent && e.detail) void draw().catch(report);
    };
    notices.events.addEventListener('change', drawFeed, { signal });
    drawFeed();
    markRead.addEventListener(
      'click',
      () => void api.notifications.markAllRead().then(loadNotices).catch(report),
    );
    push.addEventListener('click', () => void subscribePush(pushState));
    await draw();
  },
};

/** Subscribes this browser to Web Push with the API's VAPID key and registers it with the API. */
async function subscribePush(state: HTMLElement): Promise<void> {
  try {
    if (!('serviceWorker' in navigator) || !('PushManager' in window))
      throw new Error('This browser does not support push notifications.');
    if ((await Notification.requestPermission()) !== 'granted')
      throw new Error('Notifications are blocked for this site.');
    const { public_key } = await api.notifications.vapidKey();
    const reg = await navigator.serviceWorker.ready;
    const raw = atob(public_key.replace(/-/g, '+').replace(/_/g, '/'));
    const key = Uint8Array.from(raw, (c) => c.charCodeAt(0));
    const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    await api.notifications.subscribe(sub.toJSON());
    state.textContent = 'This browser receives push notifications.';
  } catch (err) {
    state.textContent = message(err);
  }
}
