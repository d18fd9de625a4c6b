import { studio } from '../api.js';
import { badge, emptyState, errorState, field, h, replace } from '../dom.js';
import { cost, duration, shortId, tokens, when } from '../format.js';

const WINDOWS = [
  ['1', 'Last hour'],
  ['24', 'Last 24 hours'],
  ['168', 'Last 7 days'],
];
const STATUS_TONE = { ok: 'ok', error: 'error', running: 'info' };

/** Runs: a filterable list; a row opens the run's timeline. */
export function runsView(main, { navigate, params }) {
  const controls = {
    hours: h('select', { name: 'hours' }, WINDOWS.map(([value, label]) => h('option', { value, selected: value === (params.get('hours') ?? '24') }, label))),
    userId: h('input', { name: 'userId', placeholder: 'any user', value: params.get('userId') ?? '', spellcheck: false }),
    status: h('select', { name: 'status' }, h('option', { value: '' }, 'any'), ['ok', 'error', 'running'].map((value) => h('option', { value, selected: params.get('status') === value }, value))),
    minDurationMs: h('input', { name: 'minDurationMs', type: 'number', min: 0, placeholder: 'ms', value: params.get('minDurationMs') ?? '' }),
    minTokens: h('input', { name: 'minTokens', type: 'number', min: 0, placeholder: 'tokens', value: params.get('minTokens') ?? '' }),
    minCostUsd: h('input', { name: 'minCostUsd', type: 'number', min: 0, step: '0.0001', placeholder: 'USD', value: params.get('minCostUsd') ?? '' }),
  };
  const results = h('div.card.table-card');
  const count = h('span.muted');
  const filters = h(
    'form.toolbar',
    {
      onsubmit: (event) => {
        event.preventDefault();
        load();
      },
    },
    field('Window', controls.hours),
    field('User', controls.userId),
    field('Status', controls.status),
    field('Min duration', controls.minDurationMs),
    field('Min tokens', controls.minTokens),
    field('Min cost', controls.minCostUsd),
    h('button.primary', { type: 'submit' }, 'Apply'),
  );
  for (const control of [controls.hours, controls.status]) control.addEventListener('change', () => load());

  replace(main, h('header.page-header', null, h('div', null, h('h1', null, 'Runs'), h('p.muted', null, 'Every turn of the agent, from the run log. Open one to see its timeline.')), count), filters, results);

  async function load() {
    const query = Object.fromEntries(Object.entries(controls).map(([key, control]) => [key, control.value.trim()]));
    history.replaceState(null, '', `#/runs?${new URLSearchParams(Object.entries(query).filter(([key, value]) => value !== '' && !(key === 'hours' && value === '24')))}`);
    replace(results, h('p.muted.pad', null, 'Loading runs…'));
    try {
      const body = await studio('/runs', query);
      count.textContent = body.total === 0 ? '' : `${body.total} run${body.total === 1 ? '' : 's'}${body.total > body.runs.length ? `, newest ${body.runs.length} shown` : ''}`;
      if (body.runs.length === 0) {
        replace(results, emptyState('No runs match', 'Nothing in this window passes the filters. Send a message in Chat, or widen the window and clear the filters.', h('a.button.secondary', { href: '#/chat' }, 'Open Chat')));
        return;
      }
      replace(
        results,
        h(
          'table.table.runs-table',
          null,
          h('thead', null, h('tr', null, ['Started', 'Run', 'User', 'Conversation', 'Status', 'Duration', 'Tokens', 'Cost', 'Tools'].map((label) => h('th', null, label)))),
          h(
            'tbody',
            null,
            body.runs.map((run) =>
              h(
                'tr.clickable',
                { tabIndex: 0, dataset: { runId: run.runId }, onclick: () => navigate(`#/runs/${encodeURIComponent(run.runId)}`), onkeydown: (event) => event.key === 'Enter' && navigate(`#/runs/${encodeURIComponent(run.runId)}`) },
                h('td', null, when(run.startedAt)),
                h('td.mono', { title: run.runId }, shortId(run.runId)),
                h('td', null, run.userId ?? '—'),
                h('td.mono', null, run.conversationId ?? '—'),
                h('td', null, badge(run.status === 'error' && run.errorType ? `error · ${run.errorType}` : run.status, STATUS_TONE[run.status])),
                h('td.num', null, duration(run.durationMs)),
                h('td.num', null, tokens(run.inputTokens + run.outputTokens)),
                h('td.num', null, cost(run.costUsd)),
                h('td.num', null, String(run.toolCalls)),
              ),
            ),
          ),
        ),
      );
    } catch (error) {
      count.textContent = '';
      replace(results, errorState(error, load));
    }
  }
  load();
}
