import { Hono } from 'hono';
import { type Lease, LIVE_INIT_HEADER, type LiveInit, refuse, releaseLease } from '../../durable/lib/live';
import { addressKey } from '../core/client';
import { config } from '../core/config';
import { ApiError } from '../core/errors';
import { describeError, log } from '../core/logger';
import { resolveAsset } from '../domains/assets/service';
import type { AppEnv } from '../env';
import { principalFor } from '../middleware/auth';
import { assetTopic, isPersonalTopic, isPublicTopic, liveLimits } from './topics';

// The live WebSocket endpoints (README "Live (WebSocket)"). Not OpenAPI routes: an upgrade
// has no JSON body to describe. The Worker authenticates and places each connection, then
// hands the upgrade to the Durable Object that will hold the socket.

const SUBPROTOCOL = 'meridian.v1';

/** The bearer token and whether `meridian.v1` was offered, from `?token=` or `Sec-WebSocket-Protocol`. */
function credentials(request: Request): { token: string | null; protocol: boolean } {
  const offered = (request.headers.get('Sec-WebSocket-Protocol') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const fromHeader = offered.find((p) => p.startsWith('bearer.'))?.slice('bearer.'.length) || null;
  const fromQuery = new URL(request.url).searchParams.get('token')?.trim() || null;
  return { token: fromQuery ?? fromHeader, protocol: offered.includes(SUBPROTOCOL) };
}

function lastSeqOf(request: Request): number | undefined {
  const raw = new URL(request.url).searchParams.get('last_seq');
  if (raw === null || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

function requireUpgrade(request: Request): void {
  if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
    throw new ApiError(
      'UPGRADE_REQUIRED',
      'This is a WebSocket endpoint: connect with "Upgrade: websocket"',
      {
        headers: { Upgrade: 'websocket' },
      },
    );
  }
}

/**
 * Takes a slot of the caller's address in the per-address connection cap, or null when the
 * address already holds WS_MAX_CONNECTIONS_PER_ADDRESS open sockets (times RATE_LIMIT_SCALE,
 * like every per-address limit: locally every tab and script shares one address).
 */
async function leaseFor(env: Env, request: Request): Promise<Lease | null> {
  const cfg = config(env);
  const lease: Lease = {
    address: addressKey(request.headers.get('CF-Connecting-IP')),
    id: crypto.randomUUID(),
  };
  const { allowed } = await env.CLIENT_ADDRESS.getByName(lease.address).openSocket(
    lease.id,
    Math.max(1, Math.round(cfg.WS_MAX_CONNECTIONS_PER_ADDRESS * cfg.RATE_LIMIT_SCALE)),
  );
  return allowed ? lease : null;
}

const TOO_MANY = 'Too many connections from this address';

/**
 * Forwards the upgrade to the object with the init header; re-wraps the 101 so middleware
 * may add headers. A forward that fails gives the connection's slot back.
 */
async function forward(
  env: Env,
  stub: { fetch(request: Request): Promise<Response> },
  request: Request,
  init: LiveInit,
): Promise<Response> {
  const headers = new Headers(request.headers);
  headers.set(LIVE_INIT_HEADER, JSON.stringify(init));
  let res: Response;
  try {
    res = await stub.fetch(new Request(request.url, { headers }));
  } catch (err) {
    await releaseLease(env, init.lease).catch(() => {});
    throw err;
  }
  if (!res.webSocket) {
    await releaseLease(env, init.lease);
    return res;
  }
  return new Response(null, { status: 101, webSocket: res.webSocket, headers: res.headers });
}

async function connectPublic(env: Env, request: Request, topic: string): Promise<Response> {
  const { protocol } = credentials(request);
  const lastSeq = lastSeqOf(request);
  const lease = await leaseFor(env, request);
  if (!lease) return refuse(1008, TOO_MANY, protocol);
  const root = env.HUB.getByName(topic);
  const placement = await root.place(topic, config(env).WS_SHARD_CAPACITY).catch(async (err: unknown) => {
    await releaseLease(env, lease).catch(() => {});
    throw err;
  });
  const init: LiveInit = {
    topic,
    limits: liveLimits(env),
    shard: placement.shard,
    seq: placement.seq,
    protocol,
    lease,
    ...(lastSeq !== undefined ? { lastSeq } : {}),
  };
  const shard = placement.shard === 0 ? root : env.HUB.getByName(`${topic}#${placement.shard}`);
  try {
    return await forward(env, shard, request, init);
  } catch (err) {
    // The slot the root reserved is corrected by the shard's next count report.
    log('error', 'live.place_failed', { topic, shard: placement.shard, ...describeError(err) });
    throw err;
  }
}

async function connectPersonal(env: Env, request: Request, topic: string): Promise<Response> {
  const { token, protocol } = credentials(request);
  if (!token) return refuse(1008, 'Invalid token', protocol);
  let principal: Awaited<ReturnType<typeof principalFor>>['principal'];
  try {
    ({ principal } = await principalFor(env, token, 'GET'));
  } catch (err) {
    if (err instanceof ApiError) return refuse(1008, 'Invalid token', protocol);
    throw err;
  }
  const lease = await leaseFor(env, request);
  if (!lease) return refuse(1008, TOO_MANY, protocol);
  const lastSeq = lastSeqOf(request);
  const init: LiveInit = {
    topic,
    limits: liveLimits(env),
    protocol,
    lease,
    ...(principal.sessionId ? { sessionId: principal.sessionId } : {}),
    ...(principal.apiKeyId ? { apiKeyId: principal.apiKeyId } : {}),
    ...(lastSeq !== undefined ? { lastSeq } : {}),
  };
  return forward(env, env.USER.getByName(principal.userId), request, init);
}

export const liveRoutes = new Hono<AppEnv>()
  .get('/ws/assets/:assetId', async (c) => {
    requireUpgrade(c.req.raw);
    const asset = await resolveAsset(c.env, c.req.param('assetId'));
    return connectPublic(c.env, c.req.raw, assetTopic(asset.id));
  })
  .get('/ws/:topic', async (c) => {
    const topic = c.req.param('topic');
    if (!isPublicTopic(topic) && !isPersonalTopic(topic)) {
      throw new ApiError('NOT_FOUND', `No live topic ${topic}`);
    }
    requireUpgrade(c.req.raw);
    return isPublicTopic(topic)
      ? connectPublic(c.env, c.req.raw, topic)
      : connectPersonal(c.env, c.req.raw, topic);
  });
