// Admin (admins only; the API answers 403 to anyone else): system health, operational alerts
// (acknowledge) and incidents (resolve), the log search, market-data quality, users and
// background jobs. Each section loads on its own, so one failing endpoint leaves the others.
import { api, type LogLine } from '../api';
import type { PageModule } from '../router';
import { day, field, h, message, minute, scroller, section, select, table, values } from '../ui';

const ms = (v: number | null | undefined) => (v == null ? '—' : `${Math.round(v)} ms`);

/** Runs a section's loader; its failure is shown in the section, not thrown. */
async function load(box: HTMLElement, draw: () => Promise<void>): Promise<void> {
  box.setAttribute('aria-busy', 'true');
  try {
    await draw();
  } catch (err) {
    box.replaceChildren(h('p', { class: 'failure' }, message(err)));
  } finally {
    box.removeAttribute('aria-busy');
  }
}

export const page: PageModule = {
  title: 'Admin',
  async render({ root }) {
    const health = h('div', { id: 'admin-health' });
    const alerts = h('div', { id: 'admin-alerts' });
    const logsBox = h('div', { id: 'admin-logs' });
    const quality = h('div', { id: 'admin-quality' });
    const usersBox = h('div', { id: 'admin-users-box' });
    const qualityButton = h('button', { type: 'button', id: 'quality-run' }, 'Check data quality');
    const jobsBox = h('div', { id: 'admin-jobs-box' });
    const logForm = h(
      'form',
      { class: 'inline', id: 'log-form' },
      field('Words', h('input', { name: 'query', type: 'search', maxlength: 200 })),
      field(
        'Level',
        select('level', [
          ['', 'Any'],
          ['INFO', 'Info'],
          ['WARNING', 'Warning'],
          ['ERROR', 'Error'],
          ['CRITICAL', 'Critical'],
        ]),
      ),
      h('button', { type: 'submit' }, 'Search logs'),
    );
    root.append(
      section('admin-system', 'System health', health),
      section('admin-alerting', 'Alerts and incidents', alerts),
      section('admin-log-section', 'Logs', logForm, logsBox),
      section(
        'admin-quality-section',
        'Data quality',
        h(
          'p',
          { class: 'note' },
          'Scores every price series (gaps, inconsistent candles, staleness) over its whole history: tens of seconds on the shipped data, so it runs when asked. ',
          qualityButton,
        ),
        quality,
      ),
      section('admin-users', 'Users', usersBox),
      section('admin-jobs', 'Jobs', jobsBox),
    );

    const drawHealth = async () => {
      const s = await api.admin.system();
      const t = s.traffic_24h;
      health.replaceChildren(
        h(
          'dl',
          { class: 'tiles' },
          ...(
            [
              ['Status', s.status],
              ['Requests (24h)', String(t.requests ?? 0)],
              ['Error rate', t.error_rate == null ? '—' : `${(Number(t.error_rate) * 100).toFixed(2)}%`],
              ['p50 / p95', `${ms(t.p50_ms)} / ${ms(t.p95_ms)}`],
              ['Firing alerts', String(s.alerts.firing)],
              ['Open incidents', String(s.alerts.open_incidents)],
              ['Pending jobs', String(s.jobs.pending_tasks ?? 0)],
              ['Dead letters', String(s.jobs.dead_letters ?? 0)],
            ] as [string, string][]
          ).map(([k, v]) => h('div', { class: 'tile' }, h('dt', {}, k), h('dd', { class: 'value' }, v))),
        ),
        scroller(
          'Services table',
          undefined,
          table(
            `Services and data providers, checked ${minute(s.generated_at)}`,
            [['Service'], ['Status'], ['Detail']],
            [
              ...s.services.map((x) => [
                x.service,
                x.status,
                `${ms(x.response_time)}${x.detail ? ` · ${x.detail}` : ''}`,
              ]),
              ...s.providers.map((p) => [
                `provider ${p.id}`,
                `circuit ${p.circuit_state}`,
                `${p.errors_today} errors today · last success ${p.seconds_since_success ?? '—'} s ago`,
              ]),
            ],
            'services-table',
          ),
        ),
      );
    };

    const drawAlerts = async () => {
      const [firing, incidents] = await Promise.all([api.admin.opsAlerts(), api.admin.incidents()]);
      const ack = (id: string, name: string) => {
        const b = h(
          'button',
          { type: 'button', class: 'small', 'aria-label': `Acknowledge ${name}` },
          'Acknowledge',
        );
        b.addEventListener(
          'click',
          () =>
            void api.admin
              .acknowledge(id)
              .then(() => load(alerts, drawAlerts))
              .catch((e) => (b.textContent = message(e))),
        );
        return b;
      };
      const resolve = (id: string, title: string) => {
        const b = h(
          'button',
          { type: 'button', class: 'small', 'aria-label': `Resolve ${title}` },
          'Resolve',
        );
        b.addEventListener('click', () => {
          const why = prompt(`Resolution of “${title}”`) ?? '';
          void api.admin
            .resolveIncident(id, why)
            .then(() => load(alerts, drawAlerts))
            .catch((e) => (b.textContent = message(e)));
        });
        return b;
      };
      alerts.replaceChildren(
        firing.length
          ? scroller(
              'Firing alerts',
              undefined,
              table(
                'Firing alerts, newest first',
                [['Rule'], ['Severity'], ['Value'], ['Since'], ['Seen'], ['Message'], ['Action']],
                firing.map((a) => [
                  a.rule_name,
                  a.severity,
                  `${a.current_value} ${a.operator} ${a.threshold}`,
                  minute(a.timestamp),
                  `${a.occurrences}×`,
                  a.message,
                  a.acknowledged ? 'acknowledged' : ack(a.id, a.rule_name),
                ]),
                'ops-alerts-table',
              ),
            )
          : h('p', { id: 'ops-alerts-table' }, 'No alert is firing.'),
        incidents.length
          ? scroller(
              'Incidents',
              undefined,
              table(
                'Incidents, newest first',
                [['Title'], ['Severity'], ['Status'], ['Opened'], ['Alerts'], ['Resolution / action']],
                incidents.map((i) => [
                  i.title,
                  i.severity,
                  i.status,
                  minute(i.created_at),
                  String(i.related_alerts.length),
                  i.status === 'open' ? resolve(i.id, i.title) : (i.resolution ?? ''),
                ]),
                'incidents-table',
              ),
            )
          : h('p', { id: 'incidents-table' }, 'No incidents.'),
      );
    };

    const drawLogs = async () => {
      const v = values(logForm);
      const out = await api.admin.logs({ query: v.query, level: v.level, limit: 25 });
      const row = (l: LogLine) => [
        l.timestamp.slice(11, 19),
        l.level,
        l.status_code == null ? '' : String(l.status_code),
        ms(l.duration_ms),
        l.message,
      ];
      logsBox.replaceChildren(
        scroller(
          'Log lines',
          undefined,
          table(
            `${out.results.length} of ${out.total} matching lines, newest first (times UTC)`,
            [['Time'], ['Level'], ['Status', true], ['Duration', true], ['Message']],
            out.results.map(row),
            'logs-table',
          ),
        ),
      );
    };
    logForm.addEventListener('submit', (e) => {
      e.preventDefault();
      void load(logsBox, drawLogs);
    });

    const drawQuality = async () => {
      const q = await api.admin.dataQuality();
      quality.replaceChildren(
        scroller(
          'Data quality table',
          undefined,
          table(
            'Price series by quality score (0-100), worst first: gaps, inconsistent candles, staleness',
            [['Asset'], ['Type'], ['Score', true], ['Issues']],
            q.assets.map((a) => [a.symbol, a.asset_type, a.score.toFixed(1), a.issues.join('; ') || 'none']),
            'quality-table',
          ),
        ),
      );
    };

    qualityButton.addEventListener('click', () => {
      qualityButton.disabled = true;
      quality.replaceChildren(h('p', { role: 'status' }, 'Checking every series…'));
      void load(quality, drawQuality).finally(() => {
        qualityButton.disabled = false;
      });
    });

    const drawUsers = async () => {
      const users = await api.admin.users();
      usersBox.replaceChildren(
        h(
          'dl',
          { class: 'tiles' },
          ...Object.entries(users.statistics).map(([k, v]) =>
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
      );
    };

    const drawJobs = async () => {
      const jobs = await api.admin.jobs();
      jobsBox.replaceChildren(
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
      );
    };

    await Promise.all([
      load(health, drawHealth),
      load(alerts, drawAlerts),
      load(logsBox, drawLogs),
      load(usersBox, drawUsers),
      load(jobsBox, drawJobs),
    ]);
  },
};
