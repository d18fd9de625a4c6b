import { trimTrailing } from '../text/trim-trailing.js';
import type { DocumentSection } from './document.js';

const ATX_OPEN = /^ {0,3}(#{1,6})(?:[ \t]|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;

/**
 * An ATX heading's level and title (`## Title ##` -> 2, `Title`), or undefined. Scanned by hand:
 * one regular expression for the whole line (`(.*?)` between runs of spaces) backtracks for
 * minutes on a long line of spaces.
 */
function atxHeading(line: string): { level: number; title: string } | undefined {
  const open = ATX_OPEN.exec(line);
  if (!open) return undefined;
  const start = open[0].length;
  let end = start + trimTrailing(line.slice(start)).length;
  let hashes = end;
  while (hashes > start && line[hashes - 1] === '#') hashes--;
  // A closing run of # counts only after a space (or alone): `# C#` is titled `C#`.
  if (hashes < end && (hashes === start || line[hashes - 1] === ' ' || line[hashes - 1] === '\t')) end = hashes;
  return { level: open[1]!.length, title: line.slice(start, end) };
}

/**
 * Splits Markdown into sections under their heading path. ATX (`## Title`) and setext
 * (`Title` over `===`/`---`) headings start sections; `#` lines inside fenced code blocks do not.
 * YAML front matter at the top is dropped.
 */
export function markdownSections(markdown: string): DocumentSection[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  if (lines[0] === '---') {
    const end = lines.indexOf('---', 1);
    if (end > 0) start = end + 1;
  }
  const sections: DocumentSection[] = [];
  const stack: { level: number; title: string }[] = [];
  let body: string[] = [];
  let fence: string | undefined;
  const flush = () => {
    const text = body.join('\n').trim();
    if (text !== '') sections.push({ headings: stack.map((heading) => heading.title), text });
    body = [];
  };
  const open = (level: number, title: string) => {
    flush();
    while (stack.length > 0 && stack[stack.length - 1]!.level >= level) stack.pop();
    stack.push({ level, title: title.trim() || '(untitled)' });
  };
  for (let index = start; index < lines.length; index++) {
    const line = lines[index]!;
    const fenceMatch = FENCE.exec(line);
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[1]!.startsWith(fence)) fence = undefined;
      body.push(line);
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1]!;
      body.push(line);
      continue;
    }
    const atx = atxHeading(line);
    if (atx) {
      open(atx.level, atx.title);
      continue;
    }
    const next = lines[index + 1];
    const previousBlank = body.length === 0 || body[body.length - 1]!.trim() === '';
    if (next !== undefined && line.trim() !== '' && previousBlank && SETEXT_UNDERLINE.exec(next) && !/^\s*([-*+]|\d+[.)])\s/.test(line)) {
      open(next.trim().startsWith('=') ? 1 : 2, line);
      index++;
      continue;
    }
    body.push(line);
  }
  flush();
  return sections;
}
