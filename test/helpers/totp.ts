import { Secret, TOTP } from 'otpauth';
import { callJson } from './api';
import type { TestUser } from './users';

/** Starts `user`'s two-factor enrolment; returns the enrolment and a TOTP generator for its secret. */
export async function enrolTotp(user: TestUser) {
  const { body } = await callJson<{ data: { secret: string; otpauth_uri: string } }>(
    '/api/v1/auth/2fa/enroll',
    { method: 'POST', as: user.as },
  );
  const totp = new TOTP({
    secret: Secret.fromBase32(body.data.secret),
    digits: 6,
    period: 30,
    algorithm: 'SHA1',
  });
  return { totp, enrolment: body.data };
}
