import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { base64ToBytes, bytesToBase64Url, decryptString, encryptString, sha256Hex } from '../../core/crypto';

// Data keys are imported for one use and not cached (core/crypto caches the master key only).
async function aes(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

async function seal(raw: Uint8Array<ArrayBuffer>, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const body = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv },
    await aes(raw),
    new TextEncoder().encode(plaintext),
  );
  return `v1.${bytesToBase64Url(iv)}.${bytesToBase64Url(new Uint8Array(body))}`;
}

async function open(raw: Uint8Array<ArrayBuffer>, sealed: string): Promise<string> {
  const [version, iv, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !body) throw new Error('Unrecognised sealed key');
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: base64ToBytes(iv) },
    await aes(raw),
    base64ToBytes(body),
  );
  return new TextDecoder().decode(plain);
}

// Envelope encryption of custodial keys:
//   private key --AES-256-GCM, per-wallet data key--> sealed_key
//   data key    --AES-256-GCM, DATA_ENCRYPTION_KEY--> wrapped_data_key   (key_id names the master)
// Rotating the master re-wraps 32-byte data keys only; a leaked row reveals nothing without the
// master, and one wallet's data key opens no other wallet. Key material stays in this module.

export interface SealedKey {
  address: `0x${string}`;
  sealedKey: string;
  wrappedDataKey: string;
  keyId: string;
}

/** The id of the master key: a fingerprint, so rows say which master wraps them without revealing it. */
export async function masterKeyId(env: Env): Promise<string> {
  if (!env.DATA_ENCRYPTION_KEY) throw new Error('DATA_ENCRYPTION_KEY is not set');
  return `dek-${(await sha256Hex(`meridian-wallet-master:${env.DATA_ENCRYPTION_KEY}`)).slice(0, 16)}`;
}

/** A new secp256k1 key (viem: @noble/curves, CSPRNG), sealed under a fresh data key. */
export async function newSealedKey(env: Env): Promise<SealedKey> {
  const privateKey = generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address;
  const dataKey = crypto.getRandomValues(new Uint8Array(32));
  return {
    address,
    sealedKey: await seal(dataKey, privateKey),
    wrappedDataKey: await encryptString(env.DATA_ENCRYPTION_KEY, bytesToBase64Url(dataKey)),
    keyId: await masterKeyId(env),
  };
}

/**
 * The signing account of a custodial wallet. Only the withdrawal and swap services call this,
 * inside their wallet lock, and the account never leaves them.
 */
export async function unsealAccount(
  env: Env,
  row: { sealedKey: string | null; wrappedDataKey: string | null; keyId: string | null; address: string },
): Promise<PrivateKeyAccount> {
  if (!row.sealedKey || !row.wrappedDataKey) throw new Error('not a custodial wallet');
  if (row.keyId !== (await masterKeyId(env)))
    throw new Error('wallet key is wrapped under another master key');
  const dataKey = base64ToBytes(await decryptString(env.DATA_ENCRYPTION_KEY, row.wrappedDataKey));
  if (dataKey.byteLength !== 32) throw new Error('bad data key');
  const privateKey = (await open(dataKey, row.sealedKey)) as `0x${string}`;
  dataKey.fill(0);
  const account = privateKeyToAccount(privateKey);
  if (account.address !== row.address) throw new Error('sealed key does not match the wallet address');
  return account;
}
