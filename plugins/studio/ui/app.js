import { ApiError, forgetKey, onUnauthorized, storedKey, storeKey, studio } from './api.js';
import { errorState, h, replace } from './dom.js';
import { icon } from './icons.js';
import { agentView } from './views/agent-view.js';
import { chatView } from './views/chat-view.js';
import { logsView } from './views/logs-view.js';
import { metricsView } from './views/metrics-view.js';
import { runView } from './views/run-view.js';
import { runsView } from './views/runs-view.js';

const root = document.getElementById('app');

/** Screens in the sidebar; `inspect` ones need a viewer or admin key. */
const SCREENS = [
  { id: 'chat', label: 'Chat', icon: 'chat', view: chatView },
  { id: 'runs', label: 'Runs', icon: 'runs', view: runsView, inspect: true },
  { id: 'logs', label: 'Logs', icon: 'logs', view: logsView, inspect: true },
  { id: 'metrics', label: 'Metrics', icon: 'metrics', view: metricsView, inspect: true },
  { id: 'agent', label: 'Agent', icon: 'agent', view: agentView, inspect: true },
];

let session;
let cleanup = () => {};

/** `#/runs/abc?x=1` → { screen: 'runs', rest: ['abc'], params } */
function route() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [screen = '', ...rest] = path.split('/').map((part) => decodeURIComponent(part));
  return { screen, rest, params: new URLSearchParams(query) };
}

export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function loginView(message) {
  const input = h('input', { type: 'password', name: 'key', autocomplete: 'off', placeholder: 'ent_…', required: true, 'aria-label': 'API key' });
  const status = h('p.login-error', { role: 'alert' }, message ?? '');
  const button = h('button.primary', { type: 'submit' }, 'Sign in');
  const form = h(
    'form.login-card',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        button.disabled = true;
        status.textContent = '';
        try {
          const found = await studio('/session', {}, { headers: { authorization: `Bearer ${input.value.trim()}` } });
          storeKey(input.value.trim());
          session = found;
          if (!location.hash || location.hash === '#/') location.hash = '#/chat';
          render();
        } catch (error) {
          status.textContent = error instanceof ApiError && error.status === 401 ? 'That key was not accepted. Check it and try again.' : (error.message ?? String(error));
          button.disabled = false;
          input.focus();
        }
      },
    },
    h('div.brand.large', null, h('span.logo', null, 'E'), h('span', null, 'Entity Studio')),
    h('p.muted', null, 'Sign in with an API key of this server (entity keys create). Viewer keys can look at everything but not chat.'),
    h('label.field', null, h('span.field-label', null, 'API key'), input),
    status,
    button,
    h('p.fine', null, 'The key stays in this tab only (session storage) and is sent to this server alone.'),
  );
  replace(root, h('div.login', null, form));
  input.focus();
}

function shell(current) {
  const nav = h(
    'nav.nav',
    { 'aria-label': 'Screens' },
    SCREENS.filter((screen) => !screen.inspect || session.canInspect).map((screen) =>
      h(`a.nav-item${screen.id === current ? '.active' : ''}`, { href: `#/${screen.id}`, 'aria-current': screen.id === current ? 'page' : undefined }, icon(screen.icon), screen.label),
    ),
  );
  const main = h('main.main');
  const sidebar = h(
    'aside.sidebar',
    null,
    h(
    'div.sidebar-inner',
    null,
    h('div.brand', null, h('span.logo', null, 'E'), h('span', null, 'Entity Studio')),
    h('div.agent-name', { title: 'Agent' }, session.agent),
    nav,
    h(
      'div.who',
      null,
      h('div.who-name', null, session.name),
      h('div.who-role', null, `${session.role} key`),
      session.name === 'anonymous' && !storedKey() ? h('div.who-role', null, 'no authentication') : h(
        'button.link',
        {
          type: 'button',
          onclick: () => {
            forgetKey();
            session = undefined;
            cleanup();
            loginView();
          },
        },
        'Sign out',
      ),
    ),
    ),
  );
  replace(root, h('div.layout', null, sidebar, main));
  return main;
}

async function render() {
  cleanup();
  cleanup = () => {};
  if (!storedKey() && !session) {
    // A server without credentials (`entity studio --no-auth`, loopback only) answers without a key.
    try {
      session = await studio('/session');
    } catch {
      return loginView();
    }
  }
  if (!session) {
    try {
      session = await studio('/session');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      replace(root, h('div.login', null, h('div.login-card', null, errorState(error, render))));
      return;
    }
  }
  const { screen: id, rest, params } = route();
  const screens = SCREENS.filter((screen) => !screen.inspect || session.canInspect);
  const screen = screens.find((candidate) => candidate.id === id);
  if (!screen) {
    location.replace(`#/${screens[0].id}`);
    return;
  }
  const main = shell(screen.id);
  const view = screen.id === 'runs' && rest[0] ? runView : screen.view;
  const stop = view(main, { session, rest, params, navigate });
  cleanup = typeof stop === 'function' ? stop : () => {};
}

onUnauthorized(() => {
  forgetKey();
  session = undefined;
  cleanup();
  loginView('Your key is no longer accepted by the server. Sign in again.');
});

window.addEventListener('hashchange', render);
render();
