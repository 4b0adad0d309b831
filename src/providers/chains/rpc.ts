import {
  createPublicClient,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  http,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import { ApiError } from '../../core/errors';
import { type ChainInfo, chainInfo } from './chains';

/** Per-call timeout for JSON-RPC: a stuck node must not hold a request (or a wallet lock). */
const RPC_TIMEOUT_MS = 10_000;

/**
 * The JSON-RPC endpoint of each chain: the `CHAIN_RPC_URLS` secret, a JSON object from chain
 * id to URL (`{"1":"https://...","8453":"https://..."}`). Kept secret because hosted RPC URLs
 * usually carry an API key.
 */
export function rpcUrls(env: Env): Map<number, string> {
  const out = new Map<number, string>();
  const raw = env.CHAIN_RPC_URLS;
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return out;
  }
  if (parsed && typeof parsed === 'object') {
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v === 'string' && /^https?:\/\//.test(v)) out.set(Number(k), v);
    }
  }
  return out;
}

const clients = new Map<string, PublicClient>();

/** A viem public client for the chain, or BLOCKCHAIN_RPC_ERROR when none is configured. */
export function chainClient(env: Env, chainId: number): { client: PublicClient; chain: ChainInfo } {
  const chain = chainInfo(chainId);
  if (!chain) throw new ApiError('VALIDATION_ERROR', `Unsupported chain_id ${chainId}`);
  const url = rpcUrls(env).get(chainId);
  if (!url)
    throw new ApiError('BLOCKCHAIN_RPC_ERROR', `No RPC endpoint is configured for ${chain.name}`, {
      suggestion: 'Set CHAIN_RPC_URLS (wrangler secret put CHAIN_RPC_URLS).',
    });
  const key = `${chainId}|${url}`;
  let client = clients.get(key);
  if (!client) {
    client = createPublicClient({
      chain: chain.viem,
      transport: http(url, { timeout: RPC_TIMEOUT_MS, retryCount: 1 }),
    }) as PublicClient;
    clients.set(key, client);
  }
  return { client, chain };
}

/** Runs an RPC call; any transport or node error becomes BLOCKCHAIN_RPC_ERROR without internals. */
export async function rpc<T>(chain: ChainInfo, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw new ApiError('BLOCKCHAIN_RPC_ERROR', `${chain.name} RPC failed during ${what}`, { cause });
  }
}

/** ERC-20 `balanceOf(owner)` by `eth_call`; a contract that answers nothing reads as zero. */
export async function erc20BalanceOf(client: PublicClient, token: Hex, owner: Hex): Promise<bigint> {
  const data = encodeFunctionData({ abi: erc20Abi, functionName: 'balanceOf', args: [owner] });
  const res = await client.call({ to: token, data });
  if (!res.data || res.data === '0x') return 0n;
  return BigInt(res.data.slice(0, 66));
}

/** The receipt if the transaction is mined, else null (a pending or unknown hash). */
export async function receiptOrNull(client: PublicClient, hash: Hex): Promise<TransactionReceipt | null> {
  try {
    return await client.getTransactionReceipt({ hash });
  } catch (e) {
    if (e instanceof Error && e.name === 'TransactionReceiptNotFoundError') return null;
    throw e;
  }
}
