import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { bytesToBase64Url } from '../../../src/core/crypto';
import { createNotification } from '../../../src/domains/notifications/service';
import { type NotificationCreated, subscribe } from '../../../src/events/bus';
import worker from '../../../src/index';
import { decryptWebPush } from '../../../src/notifications/push';
import { callJson } from '../../helpers/api';
import { expectError } from '../../helpers/errors';
import { signUp, signUpAdmin } from '../../helpers/users';

type Envelope<T> = { data: T; meta: { pagination?: { total: number } } };
type N = { id: string; status: string; title: string; is_read: boolean };

const events: NotificationCreated[] = [];
const off = subscribe('notification.created', async (_e, ev) => {
  events.push(ev);
});
afterAll(off);

async function runQueuedJobs(type: string) {
  const rows = await env.DB.prepare(
    "SELECT id, type FROM jobs WHERE type = ? AND status IN ('queued', 'retrying')",
  )
    .bind(type)
    .all<{ id: string; type: string }>();
  for (const job of rows.results) {
    const batch = createMessageBatch('meridian-jobs', [
      { id: `m-${job.id}`, timestamp: new Date(), attempts: 1, body: { job_id: job.id, type: job.type } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
  }
  return rows.results.map((r) => r.id);
}

describe('in-app notifications', () => {
  it('list with unread count, read on first detail, mark all read, dismiss — only your own', async () => {
    const user = await signUp();
    const other = await signUp();
    events.length = 0;
    const a = await createNotification(env, {
      userId: user.id,
      type: 'alert',
      title: 'BTC above 100k',
      message: 'Triggered',
      priority: 'high',
    });
    await createNotification(env, { userId: user.id, type: 'system', title: 'Welcome', message: 'Hello' });
    expect(events.map((e) => e.userId)).toEqual([user.id, user.id]);
    const list = await callJson<Envelope<{ notifications: N[]; unread_count: number }>>(
      '/api/v1/notifications',
      { as: user.as },
    );
    expect(list.body.data.unread_count).toBe(2);
    expect(list.body.data.notifications.map((n) => n.title)).toEqual(['Welcome', 'BTC above 100k']);
    const foreign = await callJson(`/api/v1/notifications/${a?.id}`, { as: other.as });
    expectError(foreign.res, foreign.body, 404, 'NOT_FOUND');
    const detail = await callJson<Envelope<N>>(`/api/v1/notifications/${a?.id}`, { as: user.as });
    expect(detail.body.data).toMatchObject({ status: 'read', is_read: true });
    const filtered = await callJson<Envelope<{ notifications: N[] }>>(
      '/api/v1/notifications?unread_only=true',
      { as: user.as },
    );
    expect(filtered.body.data.notifications.map((n) => n.title)).toEqual(['Welcome']);
    const all = await callJson<Envelope<{ marked_read: number }>>('/api/v1/notifications/mark-all-read', {
      method: 'PUT',
      as: user.as,
    });
    expect(all.body.data.marked_read).toBe(1);
    const dismissed = await callJson<Envelope<N>>(`/api/v1/notifications/${a?.id}`, {
      method: 'DELETE',
      as: user.as,
    });
    expect(dismissed.body.data.status).toBe('dismissed');
    const after = await callJson<Envelope<{ notifications: N[] }>>('/api/v1/notifications', { as: user.as });
    expect(after.body.data.notifications).toHaveLength(1);
  });

  it('serve 002: a plain list filtered by read state, and PATCH .../read', async () => {
    const user = await signUp();
    const n = await createNotification(env, {
      userId: user.id,
      type: 'trade',
      title: 'Filled',
      message: 'Order filled',
    });
    const unread = await callJson<N[]>('/api/notifications?read=false', { as: user.as });
    expect(unread.body.map((x) => x.id)).toEqual([n?.id]);
    const patched = await callJson<N>(`/api/notifications/${n?.id}/read`, { method: 'PATCH', as: user.as });
    expect(patched.body.status).toBe('read');
    expect((await callJson<N[]>('/api/notifications?read=false', { as: user.as })).body).toEqual([]);
  });

  it('are created once per dedupe key, and not at all when the category is turned off in-app', async () => {
    const user = await signUp();
    const first = await createNotification(env, {
      userId: user.id,
      type: 'alert',
      title: 'x',
      message: 'y',
      dedupeKey: 'alert:1:cross:1',
    });
    const again = await createNotification(env, {
      userId: user.id,
      type: 'alert',
      title: 'x',
      message: 'y',
      dedupeKey: 'alert:1:cross:1',
    });
    expect(first).not.toBeNull();
    expect(again).toBeNull();
    const prefs = await callJson<Envelope<{ in_app: Record<string, boolean> }>>(
      '/api/v1/notifications/preferences',
      {
        method: 'POST',
        as: user.as,
        body: { in_app: { marketing: false }, email: { alert: true } },
      },
    );
    expect(prefs.body.data.in_app).toEqual({ '*': true, marketing: false });
    expect(
      await createNotification(env, {
        userId: user.id,
        type: 'promo',
        category: 'marketing',
        title: 'a',
        message: 'b',
      }),
    ).toBeNull();
  });
});

describe('Web Push', () => {
  async function browserKeys() {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])) as CryptoKeyPair;
    const raw = new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer);
    const auth = crypto.getRandomValues(new Uint8Array(16));
    return { pair, p256dh: bytesToBase64Url(raw), auth: bytesToBase64Url(auth) };
  }

  it('refuses subscriptions to private or non-https endpoints (SSRF)', async () => {
    const user = await signUp();
    const keys = await browserKeys();
    for (const endpoint of [
      'http://push.example.com/x',
      'https://127.0.0.1/x',
      'https://169.254.169.254/latest',
      'https://localhost/x',
      'https://[::1]/x',
    ]) {
      const { res, body } = await callJson('/api/notifications/subscribe', {
        method: 'POST',
        as: user.as,
        body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } },
      });
      expectError(res, body, 400, 'VALIDATION_ERROR');
    }
  });

  it('delivers a new notification to the subscription through the queue, encrypted for it, once', async () => {
    const user = await signUp();
    const keys = await browserKeys();
    const endpoint = 'https://fcm.googleapis.com/fcm/send/test-device-1';
    const sub = await callJson('/api/notifications/subscribe', {
      method: 'POST',
      as: user.as,
      body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } },
    });
    expect(sub.res.status).toBe(201);
    const received: string[] = [];
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      expect(url).toBe(endpoint);
      expect(new Headers(init?.headers).get('Authorization')).toMatch(/^vapid t=.+, k=.+$/);
      const body = new Uint8Array(await new Response(init?.body).arrayBuffer());
      received.push(new TextDecoder().decode(await decryptWebPush(body, keys.pair, keys.auth)));
      return new Response(null, { status: 201 });
    });
    try {
      await createNotification(env, {
        userId: user.id,
        type: 'alert',
        title: 'ETH below 2k',
        message: 'Triggered',
      });
      await runQueuedJobs('notifications.push');
      expect(received).toHaveLength(1);
      expect(JSON.parse(received[0] ?? '{}')).toMatchObject({ title: 'ETH below 2k', type: 'alert' });
      // The same job again (a duplicate delivery) sends nothing more.
      await env.DB.prepare("UPDATE jobs SET status = 'queued' WHERE type = 'notifications.push'").run();
      await runQueuedJobs('notifications.push');
      expect(received).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('removes a subscription the push service says is gone (410)', async () => {
    const user = await signUp();
    const keys = await browserKeys();
    const endpoint = 'https://updates.push.services.mozilla.com/wpush/v2/gone';
    await callJson('/api/notifications/subscribe', {
      method: 'POST',
      as: user.as,
      body: { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } },
    });
    const spy = vi.spyOn(globalThis, 'fetch').mockResolvedValue(new Response(null, { status: 410 }));
    try {
      await createNotification(env, { userId: user.id, type: 'alert', title: 't', message: 'm' });
      await runQueuedJobs('notifications.push');
    } finally {
      spy.mockRestore();
    }
    const row = await env.DB.prepare('SELECT 1 FROM push_subscriptions WHERE endpoint = ?')
      .bind(endpoint)
      .first();
    expect(row).toBeNull();
  });
});

describe('Web Push: ownership and egress', () => {
  async function keysOf() {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])) as CryptoKeyPair;
    const raw = new Uint8Array((await crypto.subtle.exportKey('raw', pair.publicKey)) as ArrayBuffer);
    return {
      p256dh: bytesToBase64Url(raw),
      auth: bytesToBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    };
  }
  const owners = (endpoint: string) =>
    env.DB.prepare('SELECT user_id, p256dh FROM push_subscriptions WHERE endpoint = ?')
      .bind(endpoint)
      .all<{ user_id: string; p256dh: string }>();

  it("refuses another user's endpoint with 409 and leaves the subscription as it was", async () => {
    const owner = await signUp();
    const thief = await signUp();
    const endpoint = `https://fcm.googleapis.com/fcm/send/${crypto.randomUUID()}`;
    const mine = await keysOf();
    const first = await callJson('/api/notifications/subscribe', {
      method: 'POST',
      as: owner.as,
      body: { endpoint, keys: mine },
    });
    expect(first.res.status).toBe(201);
    const { res, body } = await callJson('/api/notifications/subscribe', {
      method: 'POST',
      as: thief.as,
      body: { endpoint, keys: await keysOf() },
    });
    expectError(res, body, 409, 'INTEGRITY_ERROR');
    expect((await owners(endpoint)).results).toEqual([{ user_id: owner.id, p256dh: mine.p256dh }]);
    // Nor can the other user unsubscribe it; the owner can re-subscribe (new keys) and leave.
    const drop = await callJson('/api/notifications/unsubscribe', {
      method: 'POST',
      as: thief.as,
      body: { endpoint },
    });
    expectError(drop.res, drop.body, 404, 'NOT_FOUND');
    const renewed = await keysOf();
    const again = await callJson('/api/notifications/subscribe', {
      method: 'POST',
      as: owner.as,
      body: { endpoint, keys: renewed },
    });
    expect(again.res.status).toBe(201);
    expect((await owners(endpoint)).results).toEqual([{ user_id: owner.id, p256dh: renewed.p256dh }]);
  });

  it('accepts only the known push services (PUSH_ALLOWED_HOSTS): a public name elsewhere is refused', async () => {
    const user = await signUp();
    const keys = await keysOf();
    for (const endpoint of [
      // Public names that could resolve anywhere, including private addresses.
      'https://push.example.com/x',
      'https://fcm.googleapis.com.attacker.example/x',
      'https://notify.windows.com.evil.test/x',
      'https://8.8.8.8/push',
    ]) {
      const { res, body } = await callJson<{ error: { details: { type: string } } }>(
        '/api/notifications/subscribe',
        { method: 'POST', as: user.as, body: { endpoint, keys } },
      );
      expectError(res, body, 400, 'VALIDATION_ERROR');
      expect(body.error.details.type).toBe('host_not_allowed');
    }
    for (const endpoint of [
      `https://updates.push.services.mozilla.com/wpush/v2/${crypto.randomUUID()}`,
      `https://web.push.apple.com/${crypto.randomUUID()}`,
      `https://wns2-by3p.notify.windows.com/w/?token=${crypto.randomUUID()}`,
    ]) {
      const ok = await callJson('/api/notifications/subscribe', {
        method: 'POST',
        as: user.as,
        body: { endpoint, keys },
      });
      expect(ok.res.status, endpoint).toBe(201);
    }
  });

  it('never fetches a stored endpoint outside the allow-list at delivery, and drops it', async () => {
    const user = await signUp();
    const keys = await keysOf();
    // Stored before the policy (or by hand): delivery checks again.
    const endpoint = 'https://push.example.com/legacy';
    await env.DB.prepare(
      "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth) VALUES ('psub_legacy_1', ?, ?, ?, ?)",
    )
      .bind(user.id, endpoint, keys.p256dh, keys.auth)
      .run();
    const spy = vi.spyOn(globalThis, 'fetch');
    try {
      await createNotification(env, { userId: user.id, type: 'alert', title: 't', message: 'm' });
      await runQueuedJobs('notifications.push');
      expect(spy.mock.calls.map((c) => String(c[0] instanceof Request ? c[0].url : c[0]))).not.toContain(
        endpoint,
      );
    } finally {
      spy.mockRestore();
    }
    expect((await owners(endpoint)).results).toEqual([]);
  });
});

describe('admin broadcast, stats and feedback', () => {
  it('broadcasts to every matching user as a job, once each, and reports stats', async () => {
    const admin = await signUpAdmin();
    const users = [await signUp(), await signUp()];
    const denied = await callJson('/api/v1/admin/notifications/broadcast', {
      method: 'POST',
      as: users[0]?.as,
      body: { title: 't', message: 'm' },
    });
    expectError(denied.res, denied.body, 403, 'ADMIN_ACCESS_REQUIRED');
    const { res, body } = await callJson<Envelope<{ id: string }>>('/api/v1/admin/notifications/broadcast', {
      method: 'POST',
      as: admin.as,
      body: { title: 'Maintenance', message: 'Tonight 02:00 UTC', priority: 'high' },
    });
    expect(res.status).toBe(202);
    await runQueuedJobs('notifications.broadcast');
    await env.DB.prepare("UPDATE jobs SET status = 'queued' WHERE id = ?").bind(body.data.id).run();
    await runQueuedJobs('notifications.broadcast');
    for (const u of users) {
      const list = await callJson<Envelope<{ notifications: N[] }>>('/api/v1/notifications', { as: u.as });
      expect(list.body.data.notifications.filter((n) => n.title === 'Maintenance')).toHaveLength(1);
    }
    const job = await callJson<Envelope<{ status: string; progress: number }>>(
      `/api/v1/jobs/${body.data.id}`,
      { as: admin.as },
    );
    expect(job.body.data).toMatchObject({ status: 'succeeded', progress: 100 });
    const stats = await callJson<Envelope<{ by_type: Record<string, number>; total: number }>>(
      '/api/v1/admin/notifications/stats',
      { as: admin.as },
    );
    expect(stats.body.data.by_type.broadcast).toBeGreaterThanOrEqual(3);
  });

  it('takes feedback from users, lets admins reply, and notifies the user of the reply', async () => {
    const user = await signUp();
    const other = await signUp();
    const admin = await signUpAdmin();
    const sent = await callJson<Envelope<{ id: string; status: string }>>('/api/v1/feedback', {
      method: 'POST',
      as: user.as,
      body: { category: 'data', subject: 'Gold prices', message: 'Gold stops in 2021', rating: 4 },
    });
    expect(sent.res.status).toBe(201);
    const mine = await callJson<Envelope<{ feedback: { id: string }[] }>>('/api/v1/feedback', {
      as: other.as,
    });
    expect(mine.body.data.feedback).toEqual([]);
    const open = await callJson<Envelope<{ feedback: { id: string }[] }>>(
      '/api/v1/admin/feedback?status=open',
      { as: admin.as },
    );
    expect(open.body.data.feedback.map((f) => f.id)).toContain(sent.body.data.id);
    const reply = await callJson<Envelope<{ status: string; admin_response: string }>>(
      `/api/v1/admin/feedback/${sent.body.data.id}`,
      {
        method: 'PUT',
        as: admin.as,
        body: { response: 'The source ends there; a live source is planned.' },
      },
    );
    expect(reply.body.data).toMatchObject({
      status: 'responded',
      admin_response: 'The source ends there; a live source is planned.',
    });
    const inbox = await callJson<Envelope<{ notifications: { type: string; title: string }[] }>>(
      '/api/v1/notifications',
      { as: user.as },
    );
    expect(inbox.body.data.notifications[0]).toMatchObject({
      type: 'feedback',
      title: 'Reply to your feedback: Gold prices',
    });
    const missing = await callJson('/api/v1/admin/feedback/fbk_nope', {
      method: 'PUT',
      as: admin.as,
      body: { status: 'closed' },
    });
    expectError(missing.res, missing.body, 404, 'NOT_FOUND');
  });
});
