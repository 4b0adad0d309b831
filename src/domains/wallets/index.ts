import { createRouter } from '../../core/openapi';
import { balanceRoutes } from './routes/balances';
import { externalWalletRoutes } from './routes/external';
import { transactionRoutes } from './routes/transactions';
import { walletRoutes } from './routes/wallets';

// Fixed paths (external/..., refresh-balances) are registered before /api/wallets/{wallet_id}.
export const walletsDomain = createRouter()
  .route('/', externalWalletRoutes)
  .route('/', balanceRoutes)
  .route('/', transactionRoutes)
  .route('/', walletRoutes);
