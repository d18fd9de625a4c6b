import { studio } from '../api.js';
import { emptyState, errorState, field, h, replace, s } from '../dom.js';
import { axisTime, cost, duration, percent, tokens } from '../format.js';

const WINDOWS = [
  ['1', 'Last hour', 30],
  ['24', 'Last 24 hours', 24],
  ['168', 'Last 7 days', 28],
];

/** Metrics: headline figures, charts over time (SVG, drawn here), and per plugin / tool / model tables. */
export function metricsView(main) {
  const select = h('select', { name: 'hours' }, WINDOWS.map(([value, label]) => h('option', { value, selected: value === '24' }, label)));
  const user = h('input', { name: 'userId', placeholder: 'all users', spellcheck: false });
  const body = h('div', null, h('p.muted.pad', null, 'Loading metrics…'));
  select.addEventListener('change', load);
  user.addEventListener('change', load);
  replace(main, h('header.page-header', null, h('div', null, h('h1', null, 'Metrics'), h('p.muted', null, 'Turns, latency, failures, tokens and cost from the run log.')), h('div.toolbar.compact', null, field('Window', select), field('User', user), h('button.secondary', { type: 'button', onclick: load }, 'Refresh'))), body);

  async function load() {
    const [hours, , buckets] = WINDOWS.find(([value]) => value === select.value);
    try {
      const data = await studio('/metrics', { hours, buckets, userId: user.value.trim() });
      const summary = data.summary;
      if (summary.runs.count === 0) {
        replace(body, emptyState('No turns in this window', 'Charts fill in as the agent answers. Send a message in Chat, or pick a longer window.', h('a.button.secondary', { href: '#/chat' }, 'Open Chat')));
        return;
      }
      const label = (bucket) => axisTime(bucket.from, Number(hours));
      replace(
        body,
        h(
          'div.stat-row',
          null,
          card('Turns', String(summary.runs.count), `${summary.runs.users} user${summary.runs.users === 1 ? '' : 's'}`),
          card('Errors', percent(summary.runs.errorRate), `${summary.runs.errors} failed`),
          card('Latency p50', duration(summary.runs.p50Ms), `p95 ${duration(summary.runs.p95Ms)}`),
          card('Tokens', tokens(summary.tokens.total), `${tokens(summary.tokens.input)} in · ${tokens(summary.tokens.output)} out`),
          card('Cost', cost(summary.tokens.costUsd), 'reported by the providers'),
        ),
        h(
          'div.chart-grid',
          null,
          chart('Turns and errors', data.buckets, label, [
            { key: 'turns', name: 'turns', tone: 'primary', type: 'bar' },
            { key: 'errors', name: 'errors', tone: 'danger', type: 'bar' },
          ]),
          chart('Latency', data.buckets, label, [
            { key: 'p50Ms', name: 'p50', tone: 'primary', type: 'line' },
            { key: 'p95Ms', name: 'p95', tone: 'warn', type: 'line' },
          ], duration),
          chart('Tokens', data.buckets, label, [
            { key: 'inputTokens', name: 'input', tone: 'primary', type: 'bar' },
            { key: 'outputTokens', name: 'output', tone: 'accent', type: 'bar' },
          ], tokens),
          chart('Cost', data.buckets, label, [{ key: 'costUsd', name: 'USD', tone: 'accent', type: 'line' }], cost),
        ),
        h(
          'div.table-grid',
          null,
          table('Plugins', ['Stage', 'Plugin', 'Calls', 'Errors', 'p50', 'p95'], summary.plugins.map((row) => [row.stage, row.plugin, row.count, row.errors, duration(row.p50Ms), duration(row.p95Ms)])),
          table('Tools', ['Tool', 'Calls', 'Errors', 'p50', 'p95'], summary.tools.map((row) => [row.tool, row.count, row.errors, duration(row.p50Ms), duration(row.p95Ms)])),
          table('Models', ['Model', 'Provider', 'Calls', 'Tokens in', 'Tokens out', 'Cost'], summary.models.map((row) => [row.model, row.provider, row.calls, tokens(row.inputTokens), tokens(row.outputTokens), cost(row.costUsd)])),
        ),
      );
    } catch (error) {
      replace(body, errorState(error, load));
    }
  }
  load();
}

function card(label, value, note) {
  return h('div.stat', null, h('div.stat-label', null, label), h('div.stat-value.big', null, value), h('div.stat-note', null, note));
}

function table(title, headings, rows) {
  return h(
    'section.card',
    null,
    h('h3.card-title', null, title),
    rows.length === 0
      ? h('p.muted.pad', null, `No ${title.toLowerCase()} in this window.`)
      : h('table.table.compact', null, h('thead', null, h('tr', null, headings.map((text) => h('th', null, text)))), h('tbody', null, rows.map((cells) => h('tr', null, cells.map((cell) => h(typeof cell === 'number' ? 'td.num' : 'td', null, String(cell))))))),
  );
}

const WIDTH = 560;
const HEIGHT = 180;
const PAD = { left: 72, right: 12, top: 12, bottom: 26 };

/** A small SVG chart: bars side by side per bucket, or lines; a few gridlines and labels. */
/** The smallest 1, 2 or 5 × 10ⁿ at or above `value`: gridlines at round numbers. */
function niceMax(value, whole) {
  if (value <= 0) return whole ? 2 : 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const nice = [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value);
  return whole ? Math.max(2, Math.ceil(nice)) : nice;
}

const count = (value) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

function chart(title, buckets, label, series, format = count) {
  const max = niceMax(Math.max(0, ...buckets.flatMap((bucket) => series.map((serie) => bucket[serie.key]))), format === count);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / buckets.length;
  const y = (value) => PAD.top + plotHeight - (value / max) * plotHeight;
  const grid = [0, 0.5, 1].map((fraction) => [
    s('line', { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(max * fraction), y2: y(max * fraction), class: 'grid' }),
    s('text', { x: PAD.left - 6, y: y(max * fraction) + 4, class: 'axis', 'text-anchor': 'end' }, format(max * fraction)),
  ]);
  const labelEvery = Math.ceil(buckets.length / 6);
  const xLabels = buckets.map((bucket, index) => (index % labelEvery === 0 ? s('text', { x: PAD.left + index * step + step / 2, y: HEIGHT - 8, class: 'axis', 'text-anchor': 'middle' }, label(bucket)) : null));
  const bars = series.filter((serie) => serie.type === 'bar');
  const marks = [];
  for (const [index, bucket] of buckets.entries()) {
    const barWidth = Math.max(1, (step * 0.7) / Math.max(1, bars.length));
    for (const [position, serie] of bars.entries()) {
      const value = bucket[serie.key];
      if (!value) continue;
      const x = PAD.left + index * step + step * 0.15 + position * barWidth;
      marks.push(s('rect', { x, y: y(value), width: barWidth, height: Math.max(1, PAD.top + plotHeight - y(value)), class: `mark ${serie.tone}` }, s('title', {}, `${label(bucket)} · ${serie.name}: ${format(value)}`)));
    }
  }
  for (const serie of series.filter((candidate) => candidate.type === 'line')) {
    const points = buckets.map((bucket, index) => `${PAD.left + index * step + step / 2},${y(bucket[serie.key])}`).join(' ');
    marks.push(s('polyline', { points, class: `line ${serie.tone}` }));
    for (const [index, bucket] of buckets.entries()) {
      if (bucket[serie.key]) marks.push(s('circle', { cx: PAD.left + index * step + step / 2, cy: y(bucket[serie.key]), r: 2.5, class: `dot ${serie.tone}` }, s('title', {}, `${label(bucket)} · ${serie.name}: ${format(bucket[serie.key])}`)));
    }
  }
  return h(
    'section.card.chart',
    null,
    h('div.chart-head', null, h('h3.card-title', null, title), h('div.legend', null, series.map((serie) => h('span.legend-item', null, h(`span.swatch.${serie.tone}`), serie.name)))),
    s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title, class: 'chart-svg' }, grid, xLabels, marks),
  );
}
