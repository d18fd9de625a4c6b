import { API_PATH, call, readEvents } from '../api.js';
import { emptyState, field, h, replace } from '../dom.js';
import { clock } from '../format.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const MAX_LINES = 500;

/**
 * Live logs over SSE (fetch, so the key goes in a header). The stream reconnects with backoff
 * whenever it ends — a server restart, a proxy timeout — and says so in the status pill.
 */
export function logsView(main, { params }) {
  const controls = {
    level: h('select', { name: 'level' }, LEVELS.map((level) => h('option', { value: level, selected: level === (params.get('level') ?? 'info') }, level))),
    component: h('input', { name: 'component', placeholder: 'component, plugin, tool…', value: params.get('component') ?? '', spellcheck: false }),
    runId: h('input', { name: 'runId', placeholder: 'any run', value: params.get('runId') ?? '', spellcheck: false }),
  };
  const status = h('span.pill.connecting', { role: 'status' }, 'Connecting…');
  const pauseButton = h('button.secondary', { type: 'button', onclick: () => setPaused(!paused) }, 'Pause');
  const list = h('div.log-list', { role: 'log', 'aria-label': 'Log lines' });
  const pending = [];
  let paused = false;
  let stopped = false;
  let controller;
  let retryTimer;
  let attempt = 0;

  const toolbar = h(
    'form.toolbar',
    {
      onsubmit: (event) => {
        event.preventDefault();
        restart();
      },
    },
    field('Level', controls.level),
    field('Component', controls.component),
    field('Run', controls.runId),
    h('button.primary', { type: 'submit' }, 'Apply'),
    h('span.spacer'),
    status,
    pauseButton,
    h('button.secondary', { type: 'button', onclick: () => showEmpty() }, 'Clear'),
  );
  controls.level.addEventListener('change', restart);
  replace(main, h('header.page-header', null, h('div', null, h('h1', null, 'Logs'), h('p.muted', null, 'The agent\'s log as it is written, secrets removed. Click a run id to open its timeline.'))), toolbar, h('div.card.log-card', null, list));

  function showEmpty() {
    replace(list, emptyState('Waiting for log lines', 'Nothing matches yet. Lines appear here as the agent works: send a message in Chat, or lower the level.'));
  }

  function setStatus(kind, text) {
    status.className = `pill ${kind}`;
    status.textContent = text;
  }

  function setPaused(value) {
    paused = value;
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    if (paused) setStatus('paused', 'Paused');
    else {
      for (const entry of pending.splice(0)) addLine(entry);
      setStatus('live', 'Live');
    }
  }

  function addLine(entry) {
    if (paused) {
      pending.push(entry);
      if (pending.length > MAX_LINES) pending.shift();
      setStatus('paused', `Paused · ${pending.length} new`);
      return;
    }
    if (list.querySelector('.empty')) list.replaceChildren();
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(
      h(
        `div.log-line.level-${entry.level}`,
        null,
        h('span.log-time', null, clock(entry.time)),
        h(`span.log-level.level-${entry.level}`, null, entry.level),
        h('span.log-component', null, entry.component ?? ''),
        h('span.log-message', null, entry.message),
        entry.runId ? h('a.log-run', { href: `#/runs/${encodeURIComponent(entry.runId)}`, title: `Open run ${entry.runId}` }, `run ${entry.runId.slice(0, 8)}`) : null,
      ),
    );
    while (list.childElementCount > MAX_LINES) list.firstElementChild.remove();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  async function connect() {
    if (stopped) return;
    controller = new AbortController();
    const query = new URLSearchParams(Object.entries({ level: controls.level.value, component: controls.component.value.trim(), runId: controls.runId.value.trim() }).filter(([, value]) => value !== ''));
    try {
      const response = await call(`${API_PATH}/logs?${query}`, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
      await readEvents(
        response,
        (type, data) => {
          if (type === 'ready') {
            attempt = 0;
            if (!paused) setStatus('live', 'Live');
          } else if (type === 'log') addLine(data);
          else if (type === 'dropped') addLine({ time: Date.now(), level: 'warn', message: `${data.count} lines skipped: the page fell behind`, component: 'studio' });
        },
        controller.signal,
      );
    } catch (error) {
      if (stopped || error?.name === 'AbortError') return;
      if (error?.status && error.status !== 503 && error.status !== 429 && error.status < 500) {
        setStatus('error', error.status === 404 ? 'Unavailable' : 'Refused');
        replace(list, h('div.error-state', { role: 'alert' }, h('strong', null, error.title), h('p', null, error.message)));
        return;
      }
    }
    if (stopped || controller.signal.aborted) return;
    attempt++;
    const delay = Math.min(5000, 500 * 2 ** Math.min(attempt, 4));
    setStatus('reconnecting', `Reconnecting in ${Math.round(delay / 1000)} s…`);
    retryTimer = setTimeout(connect, delay);
  }

  function restart() {
    controller?.abort();
    clearTimeout(retryTimer);
    attempt = 0;
    setStatus('connecting', 'Connecting…');
    showEmpty();
    connect();
  }

  showEmpty();
  connect();
  return () => {
    stopped = true;
    controller?.abort();
    clearTimeout(retryTimer);
  };
}
