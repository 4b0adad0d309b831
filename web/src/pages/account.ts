// Account: the register and sign-in pages (two-factor when the account has it on), and the
// settings page: sessions with revoke, API keys, two-factor, preferences.
import { ApiFailure, api, login, register } from '../api';
import { current, go, type PageModule } from '../router';
import { signOut } from '../shell';
import { day, field, h, message, minute, scroller, section, table, values } from '../ui';

/** Where to go after signing in: the page that asked (`?next=portfolio`), else the market. */
const next = () => {
  const n = current().query.get('next');
  return n && /^[a-z]+$/.test(n) ? `#/${n}` : '#/';
};

export const loginPage: PageModule = {
  title: 'Sign in',
  async render({ root }) {
    const totp = h('input', {
      name: 'totp_code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9]{6}',
      maxlength: 6,
    });
    const totpField = field('Two-factor code', totp);
    totpField.hidden = true;
    const error = h('p', { id: 'login-error', class: 'failure', role: 'alert' });
    const form = h(
      'form',
      { id: 'login-form', class: 'narrow' },
      field('Email', h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true })),
      field(
        'Password',
        h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true }),
      ),
      totpField,
      h('button', { type: 'submit' }, 'Sign in'),
      error,
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = values(form);
      error.textContent = '';
      try {
        await login(
          v.email ?? '',
          String(new FormData(form).get('password') ?? ''),
          v.totp_code || undefined,
        );
        go(next());
      } catch (err) {
        // The account has two-factor on: ask for the code and send again.
        if (err instanceof ApiFailure && err.code === 'INVALID_MFA_TOKEN' && totpField.hidden) {
          totpField.hidden = false;
          totp.required = true;
          totp.focus();
          error.textContent = 'Enter the 6-digit code from your authenticator app.';
        } else error.textContent = message(err);
      }
    });
    root.append(form, h('p', {}, 'No account yet? ', h('a', { href: '/register' }, 'Register')));
  },
};

export const registerPage: PageModule = {
  title: 'Create your account',
  async render({ root }) {
    const error = h('p', { id: 'error-register', class: 'failure', role: 'alert' });
    const form = h(
      'form',
      { id: 'register-form', class: 'narrow' },
      field('Email', h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true })),
      field(
        'Password',
        h('input', {
          type: 'password',
          name: 'password',
          autocomplete: 'new-password',
          required: true,
          minlength: 8,
        }),
      ),
      field('First name', h('input', { name: 'first_name', autocomplete: 'given-name', maxlength: 100 })),
      field('Last name', h('input', { name: 'last_name', autocomplete: 'family-name', maxlength: 100 })),
      h('button', { type: 'submit' }, 'Register'),
      error,
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = values(form);
      error.textContent = '';
      try {
        await register({
          email: v.email ?? '',
          password: String(new FormData(form).get('password') ?? ''),
          // Blank names are left out: the API rejects empty strings, not missing fields.
          ...(v.first_name ? { first_name: v.first_name } : {}),
          ...(v.last_name ? { last_name: v.last_name } : {}),
        });
        // `/register` is a real path: go back to the app's root with the new session.
        if (location.pathname !== '/') location.assign('/#/portfolio');
        else go('#/portfolio');
      } catch (err) {
        error.textContent = message(err);
      }
    });
    root.append(
      h(
        'p',
        {},
        'A free account keeps portfolios, alerts and watchlists. Passwords are stored hashed; sign-in can require a two-factor code.',
      ),
      form,
      h('p', {}, 'Already registered? ', h('a', { href: '/#/login' }, 'Sign in')),
    );
  },
};

export const settingsPage: PageModule = {
  title: 'Account',
  async render({ root }) {
    const sessions = scroller('Sessions table', 'sessions');
    const keys = scroller('API keys table', 'api-keys');
    const newKey = h('p', { id: 'new-key', 'aria-live': 'polite' });
    const twofa = h('div', { id: 'two-factor' });
    const prefs = h('form', { id: 'preferences', class: 'grid-form' });
    const keyForm = h(
      'form',
      { id: 'key-form', class: 'grid-form' },
      field('Key name', h('input', { name: 'name', required: true, maxlength: 100 })),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Scopes'),
        field('read', h('input', { type: 'checkbox', name: 'read', checked: true })),
        field('write', h('input', { type: 'checkbox', name: 'write' })),
      ),
      h('button', { type: 'submit' }, 'Create API key'),
    );
    root.append(
      section('sessions-section', 'Sessions', sessions),
      section('keys-section', 'API keys', keyForm, newKey, keys),
      section('twofa-section', 'Two-factor sign-in', twofa),
      section('prefs-section', 'Preferences', prefs),
    );

    const drawSessions = async () => {
      const { sessions: list } = await api.account.sessions();
      sessions.replaceChildren(
        table(
          'Signed-in devices; revoking one signs it out and closes its live connections',
          [['Device'], ['Address'], ['Signed in'], ['Last used'], ['Expires'], ['']],
          list.map((s) => {
            const revoke = h(
              'button',
              {
                type: 'button',
                class: 'small danger',
                'aria-label': `${s.is_current ? 'Sign out' : 'Revoke'} session from ${s.device ?? s.user_agent ?? 'unknown device'}`,
              },
              s.is_current ? 'Sign out' : 'Revoke',
            );
            revoke.addEventListener('click', async () => {
              if (s.is_current) return signOut();
              await api.account.revokeSession(s.id);
              await drawSessions();
            });
            return [
              `${s.device ?? s.user_agent ?? 'unknown'}${s.is_current ? ' (this tab)' : ''}`,
              s.ip_address ?? '—',
              minute(s.created_at),
              minute(s.last_used_at),
              day(s.expires_at),
              revoke,
            ];
          }),
          'sessions-table',
        ),
      );
    };
    const drawKeys = async () => {
      const { api_keys } = await api.account.apiKeys();
      const live = api_keys.filter((k) => !k.revoked_at);
      keys.replaceChildren(
        live.length
          ? table(
              'Keys for scripts and integrations (send as X-API-Key)',
              [['Name'], ['Prefix'], ['Scopes'], ['Created'], ['Last used'], ['']],
              live.map((k) => {
                const revoke = h(
                  'button',
                  { type: 'button', class: 'small danger', 'aria-label': `Revoke key ${k.name}` },
                  'Revoke',
                );
                revoke.addEventListener('click', async () => {
                  await api.account.revokeApiKey(k.id);
                  await drawKeys();
                });
                return [
                  k.name,
                  h('code', {}, k.prefix),
                  k.scopes.join(', '),
                  day(k.created_at),
                  minute(k.last_used_at),
                  revoke,
                ];
              }),
              'keys-table',
            )
          : h('p', {}, 'No API keys.'),
      );
    };
    keyForm.addEventListener('submit', async (e) => {
      e.preventDefault();
      const data = new FormData(keyForm);
      const scopes = ['read', 'write'].filter((s) => data.get(s));
      try {
        const k = await api.account.createApiKey(String(data.get('name')), scopes);
        newKey.replaceChildren('New key (shown this once, copy it now): ', h('code', {}, k.key));
        keyForm.reset();
        await drawKeys();
      } catch (err) {
        newKey.textContent = message(err);
      }
    });
    const drawTwoFactor = async () => {
      const state = await api.account.twoFactor();
      const code = h('input', {
        name: 'code',
        inputmode: 'numeric',
        pattern: '[0-9]{6}',
        maxlength: 6,
        required: true,
        autocomplete: 'one-time-code',
      });
      const out = h('p', { role: 'status' });
      const form = h('form', { class: 'inline' });
      if (state.enabled) {
        form.append(
          field('Code to turn it off', code),
          h('button', { type: 'submit' }, 'Turn off two-factor'),
        );
        form.addEventListener('submit', (e) => {
          e.preventDefault();
          void api.account
            .disable2fa(code.value)
            .then(drawTwoFactor)
            .catch((err) => (out.textContent = message(err)));
        });
        twofa.replaceChildren(h('p', {}, 'Two-factor sign-in is on.'), form, out);
        return;
      }
      const start = h('button', { type: 'button' }, 'Set up two-factor');
      start.addEventListener('click', async () => {
        const e = await api.account.enroll2fa();
        form.replaceChildren(
          h(
            'p',
            {},
            'Add this secret to your authenticator app (or open the link on your phone), then enter the code it shows.',
          ),
          h(
            'p',
            {},
            h('code', { id: 'totp-secret' }, e.secret),
            ' ',
            h('a', { href: e.otpauth_uri }, 'otpauth link'),
          ),
          field('Code', code),
          h('button', { type: 'submit' }, 'Turn on'),
        );
        code.focus();
      });
      form.addEventListener('submit', (e) => {
        e.preventDefault();
        void api.account
          .verify2fa(code.value)
          .then(drawTwoFactor)
          .catch((err) => (out.textContent = message(err)));
      });
      twofa.replaceChildren(h('p', {}, 'Two-factor sign-in is off.'), start, form, out);
    };
    const drawPrefs = async () => {
      const p = (await api.account.preferences()) as {
        theme?: string;
        language?: string;
        notifications?: { email?: boolean; push?: boolean; tradeAlerts?: boolean };
      };
      const n = p.notifications ?? {};
      const theme = h(
        'select',
        { name: 'theme' },
        ...['dark', 'light', 'system'].map((t) =>
          h('option', { value: t, selected: (p.theme ?? 'dark') === t }, t),
        ),
      );
      prefs.replaceChildren(
        field('Theme', theme),
        field('Language', h('input', { name: 'language', value: p.language ?? 'en', maxlength: 10 })),
        h(
          'fieldset',
          {},
          h('legend', {}, 'Notify me by'),
          field('email', h('input', { type: 'checkbox', name: 'email', checked: n.email !== false })),
          field('push', h('input', { type: 'checkbox', name: 'push', checked: n.push !== false })),
          field(
            'trade alerts',
            h('input', { type: 'checkbox', name: 'tradeAlerts', checked: n.tradeAlerts !== false }),
          ),
        ),
        h('button', { type: 'submit' }, 'Save preferences'),
        h('p', { id: 'prefs-state', role: 'status' }),
      );
    };
    prefs.addEventListener('submit', async (e) => {
      e.preventDefault();
      const d = new FormData(prefs);
      const state = prefs.querySelector('#prefs-state') as HTMLElement;
      try {
        const current = await api.account.preferences();
        await api.account.savePreferences({
          ...current,
          theme: String(d.get('theme')),
          language: String(d.get('language')),
          notifications: {
            email: !!d.get('email'),
            push: !!d.get('push'),
            tradeAlerts: !!d.get('tradeAlerts'),
          },
        });
        state.textContent = 'Saved.';
      } catch (err) {
        state.textContent = message(err);
      }
    });
    await Promise.all([drawSessions(), drawKeys(), drawTwoFactor(), drawPrefs()]);
  },
};
