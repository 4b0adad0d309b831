import { createRouter } from '../../core/openapi';
import { getHealth } from './routes/get-health';
import { getHealthDetailed } from './routes/get-health-detailed';

export const health = createRouter().route('/', getHealth).route('/', getHealthDetailed);
