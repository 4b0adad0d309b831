// @ts-check
// The register page: creates the account over the API (which signs it in, keeping the
// tokens in this tab's session like the dashboard's sign-in) and goes to the dashboard.
import { register } from './api.js';

const form = /** @type {HTMLFormElement} */ (document.getElementById('register-form'));
const error = /** @type {HTMLElement} */ (document.getElementById('error'));

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  /** @param {string} name */
  const field = (name) => String(data.get(name) ?? '').trim();
  error.textContent = '';
  try {
    await register({
      email: field('email'),
      password: String(data.get('password') ?? ''),
      // Blank names are left out: the API rejects empty strings, not missing fields.
      ...(field('first_name') ? { first_name: field('first_name') } : {}),
      ...(field('last_name') ? { last_name: field('last_name') } : {}),
    });
    location.assign('/');
  } catch (err) {
    error.textContent = err instanceof Error ? err.message : String(err);
  }
});
document.body.dataset.ready = 'true';
