import { parseArgs } from 'node:util';
import { newId } from '../src/core/ids';
import { hashPassword, normalizeEmail, PasswordSchema } from '../src/core/passwords';
import { literal } from './lib/sql';
import { d1ExecuteSql, d1Query, type Target } from './lib/wrangler';

// The first admin (and any later one): `npm run admin:create -- --email a@b.c --password '...'`
// against the local D1, or with --remote against production. An existing account is promoted
// (its password is kept unless --reset-password); the change applies at its next sign-in.
const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
    remote: { type: 'boolean', default: false },
    'reset-password': { type: 'boolean', default: false },
  },
});
if (!values.email) {
  console.error(
    'usage: npm run admin:create -- --email EMAIL [--password PASSWORD] [--name NAME] [--remote] [--reset-password]',
  );
  process.exit(2);
}
const target: Target = values.remote ? '--remote' : '--local';
const email = normalizeEmail(values.email);
const existing = d1Query<{ id: string }>(`SELECT id FROM users WHERE email = ${literal(email)}`, target)[0];

if (values.password !== undefined) {
  const check = PasswordSchema.safeParse(values.password);
  if (!check.success) {
    console.error(`admin:create: ${check.error.issues.map((i) => i.message).join('; ')}`);
    process.exit(2);
  }
}

const now = new Date().toISOString();
if (existing) {
  const password =
    values['reset-password'] && values.password
      ? `, password_hash = ${literal(await hashPassword(values.password))}`
      : '';
  d1ExecuteSql(
    `UPDATE users SET role = 'admin', status = 'active', failed_login_count = 0, locked_until = NULL, updated_at = ${literal(now)}${password} WHERE id = ${literal(existing.id)};`,
    target,
  );
  console.log(`admin:create: ${email} (${existing.id}) is now an admin`);
} else {
  if (!values.password) {
    console.error('admin:create: a new account needs --password');
    process.exit(2);
  }
  const id = newId('user');
  d1ExecuteSql(
    `INSERT INTO users (id, email, full_name, password_hash, role, is_verified, created_at, updated_at)
     VALUES (${literal(id)}, ${literal(email)}, ${literal(values.name ?? null)}, ${literal(await hashPassword(values.password))}, 'admin', 1, ${literal(now)}, ${literal(now)});`,
    target,
  );
  console.log(`admin:create: created admin ${email} (${id})`);
}
