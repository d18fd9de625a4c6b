import { Parser } from 'htmlparser2';
import type { DocumentSection } from './document.js';
import { trimLineEnds, trimTrailing } from '../text/trim-trailing.js';

export interface HtmlOptions {
  /**
   * Elements with one of these classes are left out with everything inside them: navigation
   * bars and footers that repeat on every page (e.g. `navheader`, `navfooter` in DocBook output).
   * Default: none.
   */
  ignoreClasses?: readonly string[];
  /**
   * Headings inside elements with one of these classes stay text instead of starting a section:
   * the title of a note or warning box belongs to the section around it. Default:
   * `note`, `tip`, `warning`, `caution`, `important`, `admonition` (DocBook and Sphinx output).
   */
  boxClasses?: readonly string[];
}

const DEFAULT_BOX_CLASSES = ['note', 'tip', 'warning', 'caution', 'important', 'admonition'];

const SKIPPED = new Set(['head', 'script', 'style', 'noscript', 'template', 'nav', 'svg', 'iframe', 'object', 'button', 'select']);
// Elements that end a paragraph (a blank line, where the chunker prefers to cut) or a line.
const PARAGRAPHS = new Set([
  'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset', 'figure', 'footer', 'form', 'header',
  'hr', 'main', 'ol', 'p', 'pre', 'section', 'table', 'ul',
]);
const LINES = new Set(['br', 'caption', 'dd', 'dt', 'figcaption', 'li', 'summary', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr']);
// HTML's whitespace (not JavaScript's \s, which would also swallow &nbsp;).
const HTML_SPACE = /[ \t\n\r\f]+/g;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const HEADING = /^h([1-6])$/;

/**
 * Text of an HTML page in sections under its `h1`-`h6` headings, using htmlparser2 (a tolerant,
 * spec-following tokenizer that decodes entities). Scripts, styles, `<head>` and `<nav>` are
 * dropped; block elements become line breaks; whitespace inside `<pre>` is kept.
 */
export function htmlSections(html: string, options: HtmlOptions = {}): DocumentSection[] {
  const ignoreClasses = new Set(options.ignoreClasses ?? []);
  const boxClasses = new Set(options.boxClasses ?? DEFAULT_BOX_CLASSES);
  let boxDepth = 0;
  const sections: DocumentSection[] = [];
  const stack: { level: number; title: string }[] = [];
  let body = '';
  let heading: { level: number; text: string } | undefined;
  // Depth of open elements being skipped, and of open <pre> elements.
  const open: { name: string; skip: boolean; box: boolean }[] = [];
  let skipDepth = 0;
  let preDepth = 0;
  const flush = () => {
    const text = trimLineEnds(body).replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '').trimEnd();
    if (text !== '') sections.push({ headings: stack.map((item) => item.title), text });
    body = '';
  };
  const write = (text: string) => {
    if (heading) heading.text += text;
    else body += preDepth === 0 && (body === '' || body.endsWith('\n')) ? text.replace(/^ +/, '') : text;
  };
  const breakLine = (blank: boolean) => {
    if (heading || body === '') return;
    body = trimTrailing(body, ' ');
    const wanted = blank ? '\n\n' : '\n';
    if (!body.endsWith(wanted)) body += body.endsWith('\n') ? '\n' : wanted;
  };
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const classes = (attributes.class ?? '').split(/\s+/);
        const skip = skipDepth > 0 || SKIPPED.has(name) || classes.some((item) => ignoreClasses.has(item)) || attributes.hidden !== undefined;
        const box = !skip && classes.some((item) => boxClasses.has(item));
        if (!VOID.has(name)) {
          open.push({ name, skip, box });
          if (skip) skipDepth++;
          if (box) boxDepth++;
        }
        if (skip) return;
        if (name === 'pre') preDepth++;
        const level = boxDepth > 0 ? null : HEADING.exec(name);
        if (level) {
          flush();
          heading = { level: Number(level[1]), text: '' };
        } else if (PARAGRAPHS.has(name) || HEADING.test(name)) breakLine(true);
        else if (LINES.has(name)) breakLine(false);
        if (name === 'li') write('- ');
      },
      ontext(text) {
        if (skipDepth > 0) return;
        write(preDepth > 0 ? text : text.replace(HTML_SPACE, ' '));
      },
      onclosetag(name, implied) {
        if (VOID.has(name)) {
          if (name === 'br' && skipDepth === 0 && !implied) breakLine(false);
          return;
        }
        const element = open.pop();
        if (element?.skip) {
          skipDepth--;
          return;
        }
        if (element?.box) boxDepth--;
        if (name === 'pre') preDepth--;
        if (heading && HEADING.test(name)) {
          const title = heading.text.replace(HTML_SPACE, ' ').trim() || '(untitled)';
          while (stack.length > 0 && stack[stack.length - 1]!.level >= heading.level) stack.pop();
          stack.push({ level: heading.level, title });
          heading = undefined;
        } else if (PARAGRAPHS.has(name) || HEADING.test(name)) breakLine(true);
        else if (LINES.has(name)) breakLine(false);
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  flush();
  return sections;
}
