import { studio } from '../api.js';
import { badge, errorState, h, replace } from '../dom.js';
import { cost, duration, tokens, when } from '../format.js';

const KIND_LABEL = { run: 'run', stage: 'stage', plugin: 'plugin', tool: 'tool', resource: 'call', counter: 'counter', observation: 'value' };

function rowLabel(row) {
  if (row.kind === 'stage') return `${row.name}${row.iteration !== undefined ? ` · iteration ${row.iteration}` : ''}`;
  if (row.kind === 'resource') return `${row.name}.${row.operation ?? 'call'}${row.model ? ` · ${row.model}` : ''}`;
  return row.name;
}

/** One run as a waterfall: stages → plugins → tools → model calls, with durations, errors and the ERROR path. */
export function runView(main, { rest }) {
  const runId = rest[0];
  const detail = h('aside.card.row-detail', null, h('p.muted', null, 'Select a row to see its details.'));
  const body = h('div', null, h('p.muted.pad', null, 'Loading the run…'));
  replace(main, h('header.page-header', null, h('div', null, h('a.back', { href: '#/runs' }, '← Runs'), h('h1.mono-title', null, `Run ${runId}`))), body);

  function showDetail(row) {
    const facts = [
      ['Kind', KIND_LABEL[row.kind] ?? row.kind],
      ['Stage', row.stage],
      ['Iteration', row.iteration],
      ['Started', `+${duration(row.offsetMs)}`],
      ['Duration', duration(row.durationMs)],
      ['Outcome', row.success === false ? `failed${row.errorType ? ` (${row.errorType})` : ''}` : row.success === true ? 'ok' : undefined],
      ['Model', row.model ? `${row.provider ? `${row.provider} · ` : ''}${row.model}` : undefined],
      ['Tokens', row.inputTokens !== undefined || row.outputTokens !== undefined ? `${row.inputTokens ?? 0} in · ${row.outputTokens ?? 0} out` : undefined],
      ['Cost', row.costUsd !== undefined ? cost(row.costUsd) : undefined],
    ].filter(([, value]) => value !== undefined && value !== null);
    replace(
      detail,
      h('h3', null, rowLabel(row)),
      h('dl.facts', null, facts.map(([term, value]) => [h('dt', null, term), h('dd', null, String(value))])),
      row.metadata ? [h('div.side-title', null, 'Details (secrets masked)'), h('pre.code', null, JSON.stringify(row.metadata, null, 2))] : null,
    );
  }

  async function load() {
    try {
      const run = await studio(`/runs/${encodeURIComponent(runId)}`);
      const runRow = run.rows.find((row) => row.kind === 'run');
      const failed = run.rows.some((row) => row.success === false);
      const totals = run.rows.filter((row) => row.kind === 'resource').reduce((sum, row) => ({ tokens: sum.tokens + (row.inputTokens ?? 0) + (row.outputTokens ?? 0), cost: sum.cost + (row.costUsd ?? 0) }), { tokens: 0, cost: 0 });
      const scale = Math.max(run.durationMs, 0.001);
      const summary = h(
        'div.stat-row',
        null,
        stat('Status', badge(runRow ? (runRow.success === false ? 'error' : 'ok') : 'running', runRow ? (runRow.success === false ? 'error' : 'ok') : 'info')),
        stat('Started', when(run.startedAt)),
        stat('Duration', duration(run.durationMs)),
        stat('User', run.userId ?? '—'),
        stat('Conversation', run.conversationId ?? '—'),
        stat('Tokens', tokens(totals.tokens)),
        stat('Cost', cost(totals.cost)),
      );
      const rows = run.rows.map((row) => {
        const bar = h(`div.bar.kind-${row.kind}${row.success === false ? '.failed' : ''}${row.errorPath ? '.error-path' : ''}`);
        bar.style.left = `${(row.offsetMs / scale) * 100}%`;
        bar.style.width = `max(2px, ${((row.durationMs ?? 0) / scale) * 100}%)`;
        const label = h('div.wf-label', null, h(`span.kind.kind-${row.kind}`, null, KIND_LABEL[row.kind] ?? row.kind), h('span.wf-name', { title: rowLabel(row) }, rowLabel(row)), row.success === false ? badge(row.errorType ?? 'failed', 'error') : null);
        label.style.paddingLeft = `${0.5 + row.depth * 1.1}rem`;
        const element = h(
          `div.wf-row${row.success === false ? '.failed' : ''}${row.errorPath ? '.error-path' : ''}`,
          { tabIndex: 0, dataset: { kind: row.kind, name: row.name, depth: String(row.depth) }, onclick: () => select(element, row), onkeydown: (event) => event.key === 'Enter' && select(element, row) },
          label,
          h('div.wf-track', null, bar),
          h('div.wf-duration', null, duration(row.durationMs)),
        );
        return element;
      });
      function select(element, row) {
        for (const other of rows) other.classList.remove('selected');
        element.classList.add('selected');
        showDetail(row);
      }
      replace(
        body,
        summary,
        failed ? h('div.notice.error', { role: 'note' }, 'This run failed. Red rows failed; rows with a red edge ran in the ERROR stage, the path the agent took to answer anyway.') : null,
        h(
          'div.timeline-layout',
          null,
          h('div.card.waterfall', null, h('div.wf-row.wf-head', null, h('div.wf-label', null, 'Operation'), h('div.wf-track.ticks', null, ticks(run.durationMs)), h('div.wf-duration', null, 'Duration')), rows),
          detail,
        ),
        h('p.links', null, h('a', { href: `#/logs?runId=${encodeURIComponent(runId)}&level=debug` }, 'Log lines of this run →')),
      );
    } catch (error) {
      replace(body, errorState(error, load));
    }
  }
  load();
}

function stat(label, value) {
  return h('div.stat', null, h('div.stat-label', null, label), h('div.stat-value', null, value));
}

function ticks(total) {
  return [0, 0.25, 0.5, 0.75, 1].map((fraction) => {
    const tick = h('span.tick', null, duration(total * fraction));
    tick.style.left = `${fraction * 100}%`;
    return tick;
  });
}
