import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { masterKeyId, unsealAccount } from '../../../src/domains/wallets/keys';
import { rewrapWalletKeys } from '../../../src/domains/wallets/service';
import { callJson } from '../../helpers/api';
import { signUp } from '../../helpers/users';

interface Row {
  id: string;
  address: string;
  sealed_key: string;
  wrapped_data_key: string;
  key_id: string;
}

const rowOf = async (id: string) => {
  const r = await env.DB.prepare(
    'SELECT id, address, sealed_key, wrapped_data_key, key_id FROM wallets WHERE id = ?',
  )
    .bind(id)
    .first<Row>();
  if (!r) throw new Error('no row');
  return { sealedKey: r.sealed_key, wrappedDataKey: r.wrapped_data_key, keyId: r.key_id, address: r.address };
};

describe('master key rotation', () => {
  it('opens rows under the previous master during a rotation, re-wraps them, and then needs only the new one', async () => {
    const user = await signUp();
    const { body: w } = await callJson<{ id: string; address: string }>('/api/wallets', {
      method: 'POST',
      as: user.as,
      body: { chain_id: 1 },
    });
    const before = await rowOf(w.id);
    const oldKey = env.DATA_ENCRYPTION_KEY;
    const newKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    const rotating = { ...env, DATA_ENCRYPTION_KEY: newKey, DATA_ENCRYPTION_KEY_PREVIOUS: oldKey };
    const newOnly = { ...env, DATA_ENCRYPTION_KEY: newKey, DATA_ENCRYPTION_KEY_PREVIOUS: '' };

    await expect(unsealAccount(newOnly, before)).rejects.toThrow(/unknown master key/);
    expect((await unsealAccount(rotating, before)).address).toBe(w.address);

    expect(await rewrapWalletKeys(rotating)).toEqual({ rewrapped: 1, current: 0 });
    expect(await rewrapWalletKeys(rotating)).toEqual({ rewrapped: 0, current: 0 });
    const after = await rowOf(w.id);
    expect(after.keyId).toBe(await masterKeyId(newOnly));
    expect(after.sealedKey).toBe(before.sealedKey); // the private key's sealing is untouched
    expect(after.wrappedDataKey).not.toBe(before.wrappedDataKey);
    expect((await unsealAccount(newOnly, after)).address).toBe(w.address);
    await expect(unsealAccount(env, after)).rejects.toThrow(/unknown master key/);
  });
});
