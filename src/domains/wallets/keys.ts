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

type MasterKeys = Pick<Env, 'DATA_ENCRYPTION_KEY'> & { DATA_ENCRYPTION_KEY_PREVIOUS?: string | undefined };

const fingerprint = async (secret: string) =>
  `dek-${(await sha256Hex(`meridian-wallet-master:${secret}`)).slice(0, 16)}`;

/** The id of the master key: a fingerprint, so rows say which master wraps them without revealing it. */
export async function masterKeyId(env: MasterKeys): Promise<string> {
  if (!env.DATA_ENCRYPTION_KEY) throw new Error('DATA_ENCRYPTION_KEY is not set');
  return fingerprint(env.DATA_ENCRYPTION_KEY);
}

/**
 * The master that wrapped a row: the current one, or during a rotation the previous one
 * (`DATA_ENCRYPTION_KEY_PREVIOUS`) until `rewrapDataKey` has moved the row over.
 */
async function masterFor(env: MasterKeys, keyId: string | null): Promise<string> {
  if (keyId === (await masterKeyId(env))) return env.DATA_ENCRYPTION_KEY;
  const previous = env.DATA_ENCRYPTION_KEY_PREVIOUS;
  if (previous && keyId === (await fingerprint(previous))) return previous;
  throw new Error('wallet key is wrapped under an unknown master key');
}

/**
 * Re-wraps a row's data key under the current master (rotation). The private key and its
 * sealing are untouched; null when the row is already current.
 */
export async function rewrapDataKey(
  env: MasterKeys,
  row: { wrappedDataKey: string | null; keyId: string | null },
): Promise<{ wrappedDataKey: string; keyId: string } | null> {
  if (!row.wrappedDataKey) return null;
  const current = await masterKeyId(env);
  if (row.keyId === current) return null;
  const dataKey = await decryptString(await masterFor(env, row.keyId), row.wrappedDataKey);
  return { wrappedDataKey: await encryptString(env.DATA_ENCRYPTION_KEY, dataKey), keyId: current };
}

/** A new secp256k1 key (viem: @noble/curves, CSPRNG), sealed under a fresh data key. */
export async function newSealedKey(env: MasterKeys): Promise<SealedKey> {
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
  env: MasterKeys,
  row: { sealedKey: string | null; wrappedDataKey: string | null; keyId: string | null; address: string },
): Promise<PrivateKeyAccount> {
  if (!row.sealedKey || !row.wrappedDataKey) throw new Error('not a custodial wallet');
  const master = await masterFor(env, row.keyId);
  const dataKey = base64ToBytes(await decryptString(master, row.wrappedDataKey));
  if (dataKey.byteLength !== 32) throw new Error('bad data key');
  const privateKey = (await open(dataKey, row.sealedKey)) as `0x${string}`;
  dataKey.fill(0);
  const account = privateKeyToAccount(privateKey);
  if (account.address !== row.address) throw new Error('sealed key does not match the wallet address');
  return account;
}
