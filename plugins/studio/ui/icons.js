import { s } from './dom.js';

// Line icons drawn as SVG (no icon font, no emoji: headless and minimal systems have neither).
const PATHS = {
  chat: 'M4 5h16v10H9l-5 4z',
  runs: 'M4 6h10M4 12h16M4 18h7M17 4v4M20 16v4',
  logs: 'M5 6h14M5 10h14M5 14h10M5 18h12',
  metrics: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
  agent: 'M12 3v4M12 17v4M3 12h4M17 12h4M7 12a5 5 0 1 0 10 0a5 5 0 1 0 -10 0',
  tool: 'M14 6a4 4 0 0 0 5 5l-8 8a2 2 0 0 1-3-3l8-8a4 4 0 0 0-2-2z',
};

export function icon(name) {
  return s('svg', { viewBox: '0 0 24 24', class: 'icon', 'aria-hidden': 'true', fill: 'none', stroke: 'currentColor', 'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }, s('path', { d: PATHS[name] }));
}
