// Admin (admins only; the API answers 403 to anyone else): users and background jobs.
import { api } from '../api';
import type { PageModule } from '../router';
import { day, h, minute, scroller, section, table } from '../ui';

export const page: PageModule = {
  title: 'Admin',
  async render({ root }) {
    const [users, jobs] = await Promise.all([api.admin.users(), api.admin.jobs()]);
    const stats = users.statistics;
    root.append(
      section(
        'admin-users',
        'Users',
        h(
          'dl',
          { class: 'tiles' },
          ...Object.entries(stats).map(([k, v]) =>
            h(
              'div',
              { class: 'tile' },
              h('dt', {}, k.replace(/_/g, ' ')),
              h('dd', { class: 'value' }, String(v)),
            ),
          ),
        ),
        scroller(
          'Users table',
          undefined,
          table(
            'Users, newest first',
            [['Email'], ['Role'], ['Status'], ['Locked'], ['2FA'], ['Joined']],
            users.users.map((u) => [
              u.email,
              u.role,
              u.status ?? (u.is_active ? 'active' : 'inactive'),
              u.is_locked ? 'yes' : 'no',
              u.mfa_enabled ? 'on' : 'off',
              day(u.created_at),
            ]),
            'users-table',
          ),
        ),
      ),
      section(
        'admin-jobs',
        'Jobs',
        jobs.jobs.length
          ? scroller(
              'Jobs table',
              undefined,
              table(
                'Background jobs, newest first',
                [
                  ['Type'],
                  ['Status'],
                  ['Progress', true],
                  ['Attempts', true],
                  ['Created'],
                  ['Finished'],
                  ['Error'],
                ],
                jobs.jobs.map((j) => [
                  j.type,
                  j.status,
                  `${Math.round(j.progress * (j.progress <= 1 ? 100 : 1))}%`,
                  String(j.attempts),
                  minute(j.created_at),
                  minute(j.finished_at),
                  j.error ?? '',
                ]),
                'jobs-table',
              ),
            )
          : h('p', {}, 'No jobs yet.'),
      ),
    );
  },
};
