/** `/auth/me`'s paths: for these the auth middleware asks the user object for the card too. */
export const CARD_PATHS = new Map([
  ['/api/v1/auth/me', '004'],
  ['/api/auth/me', '002/003'],
]);

/**
 * Call after a D1 write of a field on `/auth/me`'s card (`UserCard`: names, verification, 2FA,
 * the default portfolio): the user object drops its copy and the next `/auth/me` reads D1.
 */
export async function forgetUserCard(env: Env, userId: string): Promise<void> {
  await env.USER.getByName(userId).forgetCard();
}
