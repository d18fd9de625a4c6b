import { studio } from '../api.js';
import { badge, emptyState, errorState, h, replace } from '../dom.js';
import { icon } from '../icons.js';

const KIND_TONE = { prompt: 'info', tool: 'ok', input: 'neutral', output: 'accent', failure: 'error', resource: 'neutral' };

/** Agent: the workflow graph (stages → plugins → tools, plugins → resources) and the effective config, masked. */
export function agentView(main) {
  const body = h('div', null, h('p.muted.pad', null, 'Loading the agent…'));
  replace(main, h('header.page-header', null, h('div', null, h('h1', null, 'Agent'), h('p.muted', null, 'How the agent is put together, and the configuration it runs with (secrets masked).'))), body);

  async function load() {
    try {
      const agent = await studio('/agent');
      const toolsOf = (plugin) => agent.tools.filter((tool) => tool.plugin === plugin);
      const stages = h(
        'div.graph',
        null,
        agent.stages.map(({ stage, plugins }, index) =>
          h(
            `section.stage${stage === 'ERROR' ? '.stage-error' : ''}`,
            null,
            h('div.stage-head', null, h('span.stage-name', null, stage), index < agent.stages.length - 2 ? h('span.arrow', { 'aria-hidden': 'true' }, '→') : null),
            plugins.length === 0
              ? h('div.stage-empty', null, 'no plugins')
              : plugins.map((plugin) =>
                  h(
                    'div.plugin-node',
                    { dataset: { plugin: plugin.name } },
                    h('div.plugin-name', null, plugin.name),
                    h('div.plugin-meta', null, badge(plugin.kind, KIND_TONE[plugin.kind] ?? 'neutral'), plugin.source === 'explicit' ? h('span.muted.small', null, 'explicit stage') : null),
                    toolsOf(plugin.name).length > 0 ? h('ul.node-tools', null, toolsOf(plugin.name).map((tool) => h('li', { title: tool.description }, icon('tool'), tool.name))) : null,
                    plugin.dependencies.length > 0 ? h('div.node-deps', null, 'uses ', plugin.dependencies.map((name) => h('span.chip', null, name))) : null,
                  ),
                ),
          ),
        ),
      );
      const resources = h(
        'div.resource-row',
        null,
        agent.resources.map((resource) =>
          h(
            'div.resource-node',
            null,
            h('div.plugin-name', null, resource.name),
            resource.dependencies.length + resource.optionalDependencies.length > 0
              ? h('div.node-deps', null, 'needs ', resource.dependencies.map((name) => h('span.chip', null, name)), resource.optionalDependencies.map((name) => h('span.chip.optional', { title: 'optional' }, `${name}?`)))
              : h('div.muted.small', null, 'no dependencies'),
          ),
        ),
      );
      replace(
        body,
        h('section.card', null, h('h3.card-title', null, `Workflow of ${agent.name}`), h('p.muted.small.pad-x', null, 'Each message runs PARSE → THINK → DO → REVIEW → DELIVER, repeated until DELIVER answers; ERROR runs when a plugin fails.'), stages),
        h('section.card', null, h('h3.card-title', null, 'Resources'), resources),
        h('div.config-grid', null, configCard('Effective configuration', agent.config, 'This agent was not started from a config file (or the host did not pass it); the settings below are what it runs with.'), configCard('Engine settings', agent.settings)),
      );
    } catch (error) {
      replace(body, errorState(error, load));
    }
  }
  load();
}

function configCard(title, value, emptyText) {
  return h('section.card', null, h('h3.card-title', null, title), value === null || value === undefined ? emptyState('No config file', emptyText ?? '') : h('pre.code.config', null, highlight(value)));
}

/** JSON with keys, strings and masked values told apart by class (text nodes only). */
function highlight(value) {
  const text = JSON.stringify(value, null, 2);
  const parts = [];
  const token = /("(?:[^"\\]|\\.)*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)/gi;
  let last = 0;
  for (const match of text.matchAll(token)) {
    parts.push(text.slice(last, match.index));
    if (match[1] && match[2]) parts.push(h('span.json-key', null, match[1]), match[2]);
    else if (match[1]) parts.push(h(match[1].includes('[REDACTED]') ? 'span.json-secret' : 'span.json-string', null, match[1]));
    else parts.push(h('span.json-literal', null, match[0]));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}
