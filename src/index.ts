import { createApp } from './app';
import { inBackground, trackedContext } from './core/background';
import './domains/alerts/subscribe';
import './domains/bots/ticker';
import { noteRequest } from './domains/health/service';
import './ingestion/dividends';
import './live/subscribe';
import { handleQueue } from './jobs/queue';
import { handleScheduled } from './jobs/scheduled';

export { BotObject } from '../durable/bot';
export { ClientAddressObject } from '../durable/client-address';
export { TopicHub } from '../durable/hub';
export { TelemetrySink } from '../durable/telemetry';
export { UserObject } from '../durable/user';

const app = createApp();

export default {
  fetch: (request, env, ctx) => {
    noteRequest();
    return app.fetch(request, env, trackedContext(ctx));
  },
  scheduled: (controller, env, ctx) => ctx.waitUntil(inBackground(handleScheduled(controller, env))),
  queue: (batch, env, _ctx) => inBackground(handleQueue(batch, env)),
} satisfies ExportedHandler<Env>;
