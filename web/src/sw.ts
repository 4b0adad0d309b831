// The service worker: shows Web Push notifications sent by the API (VAPID-signed) and opens
// the alerts page when one is clicked. Typed by hand: the worker's globals are not the DOM's.

interface PushEventLike extends Event {
  data: { json(): unknown; text(): string } | null;
  waitUntil(p: Promise<unknown>): void;
}
interface ClickEventLike extends Event {
  notification: { close(): void };
  waitUntil(p: Promise<unknown>): void;
}
interface WorkerScope {
  registration: { showNotification(title: string, options: { body?: string; tag?: string }): Promise<void> };
  clients: { openWindow(url: string): Promise<unknown> };
  addEventListener(type: 'push', listener: (e: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (e: ClickEventLike) => void): void;
}

const worker = self as unknown as WorkerScope;

worker.addEventListener('push', (event) => {
  let payload: { title?: string; message?: string; body?: string; id?: string } = {};
  try {
    payload = (event.data?.json() ?? {}) as typeof payload;
  } catch {
    payload = { message: event.data?.text() ?? '' };
  }
  event.waitUntil(
    worker.registration.showNotification(payload.title ?? 'Meridian', {
      body: payload.message ?? payload.body ?? '',
      ...(payload.id ? { tag: payload.id } : {}),
    }),
  );
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(worker.clients.openWindow('/#/alerts'));
});
