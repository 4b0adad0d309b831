import { subscribe } from '../../events/bus';
import { evaluateAlerts } from './service';

// Imported once by src/index.ts: every prices.updated event evaluates the alerts of its assets.
subscribe('prices.updated', async (env, event) => {
  await evaluateAlerts(env, event);
});
