import { Scalar } from '@scalar/hono-api-reference';
import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { timing } from 'hono/timing';
import { getPathNoStrict } from 'hono/utils/url';
import { handleError } from './core/error-handler';
import { ApiError } from './core/errors';
import { MemoRouter } from './core/memo-router';
import { allowedMethods } from './core/method-not-allowed';
import { createRouter } from './core/openapi';
import { VERSION } from './core/version';
import { adminDomain } from './domains/admin';
import { alertsDomain } from './domains/alerts';
import { apiKeysDomain } from './domains/api-keys';
import { assetsDomain } from './domains/assets';
import { auth } from './domains/auth';
import { backtestsDomain } from './domains/backtests';
import { botsDomain } from './domains/bots';
import { dexDomain } from './domains/dex';
import { feedbackDomain } from './domains/feedback';
import { health } from './domains/health';
import { jobsDomain } from './domains/jobs';
import { macroDomain } from './domains/macro';
import { modelsDomain } from './domains/models';
import { notificationsDomain } from './domains/notifications';
import { opsDomain } from './domains/ops';
import { portfoliosDomain } from './domains/portfolios';
import { pricesDomain } from './domains/prices';
import { riskLimitsDomain } from './domains/risk-limits';
import { sectorsDomain } from './domains/sectors';
import { securityDomain } from './domains/security';
import { signalsDomain, signalsEarlyDomain } from './domains/signals';
import { usersDomain } from './domains/users';
import { walletsDomain } from './domains/wallets';
import { watchlistsDomain } from './domains/watchlists';
import type { AppEnv } from './env';
import { liveRoutes } from './live/routes';
import { apiVersion, isV2Path } from './middleware/api-version';
import { authenticate } from './middleware/auth';
import { bodyLimit } from './middleware/body-limit';
import { cors } from './middleware/cors';
import { d1Session } from './middleware/d1-session';
import { idempotency } from './middleware/idempotency';
import { telemetry } from './middleware/telemetry';

/**
 * The path the router matches: trailing slashes dropped (every path works with or without
 * one) and `/api/v2/...` served by the `/api/...` routes, which answer in the v2 envelope.
 */
function routingPath(request: Request): string {
  const path = getPathNoStrict(request);
  return isV2Path(path) ? `/api${path.slice('/api/v2'.length)}` : path;
}

const DESCRIPTION = `Meridian: crypto market intelligence, portfolio risk, paper trading, alerts and live feeds.

Response styles follow the seed that documents each path: \`/api/v1/...\` answers in the
\`{success, data, meta}\` envelope; 004's namespaces (\`/api/v1/data\`, \`/analytics\`,
\`/management\`, \`/export\`, \`/system\`, \`/admin/batch\`) and the \`/api/...\` paths of 002 and
003 answer plain bodies. Every \`/api/...\` path is also served under \`/api/v2/...\` (or with
\`X-API-Version: 2.0\`) in 002's v2 envelope. Errors share one shape everywhere. POST and PATCH
accept an \`Idempotency-Key\` header. A response whose request read the database carries an
\`X-D1-Bookmark\`; sent back on the next request, it makes that request read a copy of the
database at least as new (read replicas lag the primary), so a client reads its own writes.`;

/** The cross-cutting middleware, in the order every request runs it (named for bench/middleware.ts). */
export const MIDDLEWARE: readonly (readonly [string, MiddlewareHandler<AppEnv>])[] = [
  ['telemetry', telemetry],
  ['request id', requestId({ headerName: 'X-Request-Id', limitLength: 128 })],
  ['server timing', timing({ crossOrigin: true })],
  ['security headers', secureHeaders({ crossOriginResourcePolicy: 'cross-origin' })],
  ['cors', cors],
  ['api version', apiVersion],
  ['authenticate', authenticate],
  ['d1 session', d1Session],
  ['body limit', bodyLimit],
  ['idempotency', idempotency],
];

/**
 * Builds the app: cross-cutting middleware, every domain's routes, the document and the docs.
 * `without` leaves middleware out by name: only the middleware bench does.
 */
export function createApp(options: { without?: readonly string[] } = {}) {
  const app = createRouter({ getPath: routingPath, router: new MemoRouter() });

  for (const [name, handler] of MIDDLEWARE) if (!options.without?.includes(name)) app.use('*', handler);

  app.route('/', health);
  app.route('/', auth);
  app.route('/', usersDomain);
  app.route('/', apiKeysDomain);
  app.route('/', securityDomain);
  app.route('/', adminDomain);
  app.route('/', jobsDomain);
  app.route('/', signalsEarlyDomain);
  app.route('/', assetsDomain);
  app.route('/', pricesDomain);
  app.route('/', notificationsDomain);
  app.route('/', feedbackDomain);
  app.route('/', alertsDomain);
  app.route('/', watchlistsDomain);
  app.route('/', walletsDomain);
  app.route('/', dexDomain);
  app.route('/', portfoliosDomain);
  app.route('/', backtestsDomain);
  app.route('/', botsDomain);
  app.route('/', riskLimitsDomain);
  app.route('/', modelsDomain);
  app.route('/', signalsDomain);
  app.route('/', macroDomain);
  app.route('/', sectorsDomain);
  app.route('/', liveRoutes);
  app.route('/', opsDomain);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'An access token from /api/v1/auth/login, or an API key (mk_...).',
  });

  app.doc31('/openapi.json', () => ({
    openapi: '3.1.0',
    info: { title: 'Meridian API', version: VERSION, description: DESCRIPTION },
    // Relative: the document's own origin, never a request header (Host could be forged).
    servers: [{ url: '/', description: 'This deployment' }],
  }));
  // The reference's bundle is a static asset of this Worker (copied from the npm package by
  // scripts/lib/docs-assets.ts), and nothing in it calls out: /docs works offline.
  app.get(
    '/docs',
    Scalar({
      url: '/openapi.json',
      pageTitle: 'Meridian API',
      cdn: '/vendor/scalar/standalone.js',
      withDefaultFonts: false,
      telemetry: false,
      agent: { disabled: true },
    }),
  );

  const methodsFor = allowedMethods(app.routes);
  app.notFound((c) => {
    const allow = methodsFor(c.req.path);
    const error = allow.length
      ? new ApiError('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}`, {
          headers: { Allow: allow.join(', ') },
        })
      : new ApiError('NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`);
    return handleError(error, c);
  });
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
