import { z } from '@hono/zod-openapi';
import { createRouter, defineRoute } from '../../../core/openapi';
import { PaginationQuery, pageOf, paginationMeta } from '../../../core/pagination';
import { envelope, envelopeSchema, plain, plainOrV2Schema } from '../../../core/responses';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_PRIORITIES,
  NOTIFICATION_STATUSES,
} from '../../../db/schema/notifications';
import { principalOf, requireUser } from '../../../middleware/auth';
import {
  dismissNotification,
  getPreferences,
  listNotifications,
  markAllRead,
  readNotification,
  setPreferences,
  subscribePush,
  unsubscribePush,
} from '../service';

const common = { tags: ['Notifications'], security: [{ bearerAuth: [] }], middleware: requireUser };
const bool = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();

export const NotificationSchema = z
  .object({
    id: z.string(),
    notification_id: z.string(),
    type: z.string(),
    category: z.string(),
    priority: z.enum(NOTIFICATION_PRIORITIES),
    title: z.string(),
    message: z.string(),
    data: z.record(z.string(), z.unknown()).nullable(),
    status: z.enum(NOTIFICATION_STATUSES),
    is_read: z.boolean(),
    read: z.boolean(),
    read_at: z.string().nullable(),
    dismissed_at: z.string().nullable(),
    created_at: z.string(),
    timestamp: z.string().openapi({ description: "When it was made (002's name for `created_at`)" }),
  })
  .openapi('Notification');

const IdParam = z.object({ notification_id: z.string().min(1).max(64) });
const one = {
  200: {
    description: 'The notification.',
    content: { 'application/json': { schema: envelopeSchema(NotificationSchema) } },
  },
};
const ChannelPrefs = z
  .partialRecord(z.enum(NOTIFICATION_CHANNELS), z.record(z.string().max(50), z.boolean()))
  .openapi({ description: 'Per channel, per category (`*` for the rest): `{push: {alert: true}}`.' });
const SimplePrefs = z
  .object({
    email_enabled: z.boolean().optional(),
    push_enabled: z.boolean().optional(),
    categories: z.array(z.string().min(1).max(50)).max(50).optional(),
  })
  .strict()
  .openapi({
    description:
      "001's form: each channel on or off, for `categories` only when given (in-app included); it replaces that channel's settings.",
  });
const PrefsInput = z.union([SimplePrefs, ChannelPrefs]);
const PrefsSchema = z
  .object({
    in_app: z.record(z.string(), z.boolean()),
    push: z.record(z.string(), z.boolean()),
    email: z.record(z.string(), z.boolean()),
  })
  .openapi('NotificationPreferences');

export const notificationRoutes = createRouter()
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/notifications',
      summary: 'Your notifications with filters and the unread count (000/001)',
      request: {
        query: PaginationQuery.extend({
          status: z.enum(NOTIFICATION_STATUSES).optional(),
          type: z.string().max(50).optional(),
          notification_type: z.string().max(50).optional().openapi({ description: "000's name for `type`." }),
          category: z.string().max(50).optional(),
          priority: z.enum(NOTIFICATION_PRIORITIES).optional(),
          unread_only: bool,
          include_dismissed: bool,
        }),
      },
      responses: {
        200: {
          description: 'Newest first; dismissed ones only when asked.',
          content: {
            'application/json': {
              schema: envelopeSchema(
                z.object({ notifications: z.array(NotificationSchema), unread_count: z.number().int() }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const { limit, offset, page: pageNo, notification_type, type, ...filters } = c.req.valid('query');
      const page = pageOf({ limit, offset, page: pageNo });
      const { total, ...data } = await listNotifications(
        c.env,
        principalOf(c),
        { ...filters, type: type ?? notification_type },
        page,
      );
      return c.json(envelope(c, data, { pagination: paginationMeta(page, total) }), 200);
    },
  )
  // Fixed paths before /notifications/{notification_id}.
  .openapi(
    defineRoute({
      ...common,
      method: 'put',
      path: '/api/v1/notifications/mark-all-read',
      summary: 'Mark all your notifications read (000)',
      responses: {
        200: {
          description: 'How many.',
          content: {
            'application/json': { schema: envelopeSchema(z.object({ marked_read: z.number().int() })) },
          },
        },
      },
    }),
    async (c) => c.json(envelope(c, await markAllRead(c.env, principalOf(c))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/v1/notifications/preferences',
      summary: 'Set notification preferences per channel and category (001)',
      description:
        'Body `{ "push": { "alert": true, "*": false }, "email": { "system": true } }`; `*` is every category without its own setting. Or 001\'s `{email_enabled, push_enabled, categories[]}`, which replaces the named channels\' settings. Default: in-app and push on, email off.',
      request: { body: { content: { 'application/json': { schema: PrefsInput } }, required: true } },
      responses: {
        200: {
          description: 'All your preferences.',
          content: { 'application/json': { schema: envelopeSchema(PrefsSchema) } },
        },
      },
    }),
    async (c) => c.json(envelope(c, await setPreferences(c.env, principalOf(c), c.req.valid('json'))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/v1/notifications/preferences',
      summary: 'Your notification preferences per channel and category',
      responses: {
        200: {
          description: 'Preferences.',
          content: { 'application/json': { schema: envelopeSchema(PrefsSchema) } },
        },
      },
    }),
    async (c) => c.json(envelope(c, await getPreferences(c.env, principalOf(c))), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'delete',
      path: '/api/v1/notifications/{notification_id}',
      summary: 'Dismiss a notification (000)',
      request: { params: IdParam },
      responses: one,
    }),
    async (c) =>
      c.json(
        envelope(c, await dismissNotification(c.env, principalOf(c), c.req.valid('param').notification_id)),
        200,
      ),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'get',
      path: '/api/notifications',
      summary: 'Your notifications (002): a plain list filtered by category and read state',
      request: {
        query: z.object({
          category: z.string().max(50).optional(),
          read: bool,
          limit: z.coerce.number().int().min(1).max(1000).default(50),
        }),
      },
      responses: {
        200: {
          description: 'Newest first.',
          content: { 'application/json': { schema: plainOrV2Schema(z.array(NotificationSchema)) } },
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { notifications } = await listNotifications(
        c.env,
        principalOf(c),
        {
          category: q.category,
          ...(q.read === undefined ? {} : q.read ? { status: 'read' as const } : { unread_only: true }),
        },
        { limit: q.limit, offset: 0, page: 1 },
      );
      return c.json(plain(c, notifications), 200);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'patch',
      path: '/api/notifications/{notification_id}/read',
      summary: 'Mark a notification read (002)',
      request: { params: IdParam },
      responses: {
        200: {
          description: 'The notification.',
          content: { 'application/json': { schema: plainOrV2Schema(NotificationSchema) } },
        },
      },
    }),
    async (c) =>
      c.json(
        plain(c, await readNotification(c.env, principalOf(c), c.req.valid('param').notification_id)),
        200,
      ),
  )
  .openapi(
    defineRoute({
      method: 'get',
      path: '/api/notifications/vapid-public-key',
      tags: ['Notifications'],
      summary: 'The VAPID public key a browser subscribes with (applicationServerKey)',
      responses: {
        200: {
          description: 'The key.',
          content: { 'application/json': { schema: plainOrV2Schema(z.object({ public_key: z.string() })) } },
        },
      },
    }),
    async (c) => c.json(plain(c, { public_key: c.env.VAPID_PUBLIC_KEY ?? '' }), 200),
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/notifications/subscribe',
      summary: 'Subscribe this browser to Web Push (002)',
      description:
        'A PushSubscription JSON. The endpoint must be an https URL on a public host; private, loopback and link-local addresses are refused (400).',
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                endpoint: z.string().url().max(2048),
                keys: z.object({ p256dh: z.string().min(80).max(120), auth: z.string().min(16).max(32) }),
                expirationTime: z.number().nullable().optional(),
              }),
            },
          },
          required: true,
        },
      },
      responses: {
        201: {
          description: 'Subscribed.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z.object({
                  success: z.literal(true),
                  message: z.string(),
                  id: z.string(),
                  endpoint: z.string(),
                  created_at: z.string(),
                }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const subscription = await subscribePush(
        c.env,
        principalOf(c),
        c.req.valid('json'),
        c.req.header('User-Agent') ?? null,
      );
      const message = 'Push notifications subscribed successfully';
      return c.json(plain(c, { success: true as const, message, ...subscription }), 201);
    },
  )
  .openapi(
    defineRoute({
      ...common,
      method: 'post',
      path: '/api/notifications/unsubscribe',
      summary: 'Remove a Web Push subscription (002)',
      request: {
        body: {
          content: { 'application/json': { schema: z.object({ endpoint: z.string().url().max(2048) }) } },
          required: true,
        },
      },
      responses: {
        200: {
          description: 'Removed.',
          content: {
            'application/json': {
              schema: plainOrV2Schema(
                z.object({ success: z.literal(true), message: z.string(), unsubscribed: z.boolean() }),
              ),
            },
          },
        },
      },
    }),
    async (c) => {
      const result = await unsubscribePush(c.env, principalOf(c), c.req.valid('json').endpoint);
      const message = result.unsubscribed
        ? 'Push notifications unsubscribed successfully'
        : 'No push subscription with this endpoint';
      return c.json(plain(c, { success: true as const, message, ...result }), 200);
    },
  );

// Reading a notification's detail (000) and marking it read (000/001) are one act: the first read marks it.
for (const [method, path, summary] of [
  ['get', '/api/v1/notifications/{notification_id}', 'One notification; the first read marks it read (000)'],
  ['put', '/api/v1/notifications/{notification_id}/read', 'Mark a notification read (000/001)'],
] as const) {
  notificationRoutes.openapi(
    defineRoute({ ...common, method, path, summary, request: { params: IdParam }, responses: one }),
    async (c) =>
      c.json(
        envelope(c, await readNotification(c.env, principalOf(c), c.req.valid('param').notification_id)),
        200,
      ),
  );
}
