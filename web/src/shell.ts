// What every page shares: the status line of live links, the signed-in user's notification
// feed (one socket for the whole app, so any page can show it), and the account corner.
import { ApiFailure, api, logout, type Notice, refresh, session } from './api';
import { type LinkState, LiveTopic } from './live';
import { $, report } from './ui';

const states = new Map<string, string>();

/** One link's state in the header's status line (`prices: live · notifications: live`). */
export function setState(name: string, state: LinkState | 'stopped', detail?: string): void {
  if (state === 'stopped') states.delete(name);
  else states.set(name, detail && state !== 'live' ? `${state} (${detail})` : state);
  $('status').textContent = [...states].map(([n, s]) => `${n}: ${s}`).join(' · ');
}

/** Shows the newest market time any page has seen in the footer. */
export function marketTime(iso: string | null | undefined): void {
  if (!iso) return;
  const node = $('market-time');
  if ((node.dataset.iso ?? '') >= iso) return;
  node.dataset.iso = iso;
  node.textContent = `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

// ---- notifications: the store pages render from ----

export const MAX_NOTICES = 20;
export const notices = {
  list: [] as Notice[],
  unread: 0,
  events: new EventTarget(),
};
const seen = new Set<string>();
let link: LiveTopic | undefined;

function changed(fresh?: Notice): void {
  notices.events.dispatchEvent(new CustomEvent('change', { detail: fresh }));
  const badge = document.getElementById('nav-unread');
  if (badge) badge.textContent = notices.unread ? ` (${notices.unread})` : '';
}

export async function loadNotices(): Promise<void> {
  const body = await api.notifications.list(true, MAX_NOTICES);
  seen.clear();
  notices.list = body.notifications;
  for (const n of notices.list) seen.add(n.id);
  notices.unread = body.unread_count;
  changed();
}

function addNotice(n: Notice): void {
  if (seen.has(n.id)) return; // a resumed socket may replay what the HTTP list already had
  seen.add(n.id);
  notices.list.unshift(n);
  notices.list.length = Math.min(notices.list.length, MAX_NOTICES);
  notices.unread++;
  changed(n);
}

async function startPersonal(): Promise<void> {
  try {
    await loadNotices();
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) return signOut();
    throw err;
  }
  link?.stop();
  link = new LiveTopic({
    path: '/ws/notifications',
    token: () => session()?.access_token,
    onMessage: (m) => {
      if (m.type === 'notification') addNotice(m.notification as Notice);
    },
    onReset: () => void loadNotices().catch(report),
    onState: (state, detail) => setState('notifications', state, detail),
    // "Invalid token" is usually an expired access token: refresh and reconnect.
    onAuthFailure: async (reason) => {
      if (/revoked/i.test(reason) || !(await refresh())) {
        signOut();
        return false;
      }
      return true;
    },
  });
}

function stopPersonal(): void {
  link?.stop();
  link = undefined;
  setState('notifications', 'stopped');
  notices.list = [];
  notices.unread = 0;
  seen.clear();
  changed();
}

export function signOut(): void {
  stopPersonal();
  void logout();
}

/** The account corner and the admin link follow the session; the feed starts when signed in. */
export function sessionChanged(): void {
  const s = session();
  $('signed-out').hidden = !!s;
  $('signed-in').hidden = !s;
  $('who').textContent = s?.email ?? '';
  for (const node of document.querySelectorAll<HTMLElement>('[data-needs="admin"]'))
    node.hidden = s?.role !== 'admin';
  for (const node of document.querySelectorAll<HTMLElement>('[data-needs="user"]')) node.hidden = !s;
  if (s && !link) void startPersonal().catch(report);
  if (!s && link) stopPersonal();
}
