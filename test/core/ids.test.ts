import { describe, expect, it } from 'vitest';
import { isIdOf, newId } from '../../src/core/ids';

describe('ids', () => {
  it('carries its type prefix and 26 base32 characters', () => {
    const id = newId('portfolio');
    expect(id).toMatch(/^pf_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(isIdOf('portfolio', id)).toBe(true);
    expect(isIdOf('user', id)).toBe(false);
  });

  it('sorts by creation time', () => {
    const earlier = newId('job', Date.UTC(2024, 0, 1));
    const later = newId('job', Date.UTC(2024, 0, 2));
    expect(earlier < later).toBe(true);
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId('trade', 0)));
    expect(ids.size).toBe(10_000);
  });
});
