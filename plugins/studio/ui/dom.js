// A tiny DOM builder: the Studio has no framework, and never sets innerHTML (text from the agent
// is always a text node, so a log line or a model answer cannot inject markup).

/** Creates an element: h('button.primary', { onclick }, 'Send'). */
export function h(tag, props, ...children) {
  const [name, ...classes] = tag.split('.');
  const element = document.createElement(name || 'div');
  if (classes.length > 0) element.className = classes.join(' ');
  applyProps(element, props);
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes. */
export function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined && value !== null && value !== false) element.setAttribute(key, String(value));
  append(element, children);
  return element;
}

function applyProps(element, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = [element.className, value].filter(Boolean).join(' ');
    else if (key === 'style' && typeof value === 'object') Object.assign(element.style, value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key in element && key !== 'list' && key !== 'form') element[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** A labelled field for toolbars and forms. */
export function field(label, control) {
  return h('label.field', null, h('span.field-label', null, label), control);
}

/** The card shown when there is nothing to show yet, saying what to do. */
export function emptyState(title, text, action) {
  return h('div.empty', null, h('div.empty-icon', { 'aria-hidden': 'true' }, '◌'), h('h3', null, title), h('p', null, text), action);
}

/** The card shown when a request failed: what happened and a retry. */
export function errorState(error, retry) {
  return h(
    'div.error-state',
    { role: 'alert' },
    h('strong', null, error?.title ?? 'Something went wrong'),
    h('p', null, error?.message ?? String(error)),
    retry ? h('button.secondary', { type: 'button', onclick: retry }, 'Try again') : null,
  );
}

export function badge(text, tone = 'neutral') {
  return h(`span.badge.${tone}`, null, text);
}
