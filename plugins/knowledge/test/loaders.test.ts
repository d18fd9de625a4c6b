import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValidationError } from '@entity/core';
import { inMemoryStorage } from '@entity/resources-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkSections, folderSource, htmlSections, markdownSections, parseDocument, readFileInside, storageSource } from '../src/index.js';
import { samplePdf } from './support/sample-pdf.js';

let base: string;
let root: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'entity-knowledge-loaders-'));
  root = join(base, 'docs');
  mkdirSync(join(root, 'guide'), { recursive: true });
  writeFileSync(join(root, 'readme.md'), '# Widgets\n\nIntro text.\n\n## Install\n\nRun `pnpm add widgets`.\n\n```sh\n# not a heading\necho hi\n```\n');
  writeFileSync(join(root, 'notes.txt'), 'Plain notes about gears.\nSecond line.\n');
  writeFileSync(
    join(root, 'guide', 'page.html'),
    '<html><head><title>T</title><style>p{color:red}</style></head><body><div class="navheader"><a href="x">Prev</a></div><h1>Guide</h1><p>Fish &amp; chips&nbsp;are <b>tasty</b>.</p><script>alert("x")</script><h2>Details</h2><ul><li>one</li><li>two</li></ul><pre>  keep\n    spaces</pre></body></html>',
  );
  writeFileSync(join(root, 'manual.pdf'), await samplePdf(['The first page explains sprockets.', 'The second page covers flanges.']));
  writeFileSync(join(root, 'image.png'), 'not a document');
  writeFileSync(join(root, '.hidden.md'), '# secret');
  writeFileSync(join(base, 'outside.md'), '# Outside\n\nprivate text');
  mkdirSync(join(base, 'outside-dir'));
  writeFileSync(join(base, 'outside-dir', 'x.md'), '# X');
  symlinkSync(join(base, 'outside.md'), join(root, 'link-out.md'));
  symlinkSync(join(base, 'outside-dir'), join(root, 'dir-out'));
  symlinkSync(join(root, 'notes.txt'), join(root, 'link-in.txt'));
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('folderSource', () => {
  it('lists documents of every format, sorted, skipping hidden and unknown files', async () => {
    const { files } = await folderSource(root).list();
    expect(files.map((file) => [file.path, file.format])).toEqual([
      ['guide/page.html', 'html'],
      ['link-in.txt', 'text'],
      ['manual.pdf', 'pdf'],
      ['notes.txt', 'text'],
      ['readme.md', 'markdown'],
    ]);
  });

  it('refuses symbolic links that lead outside the folder and never reads them', async () => {
    const { files, refused } = await folderSource(root).list();
    expect(refused.map((item) => item.path).sort()).toEqual(['dir-out', 'link-out.md']);
    expect(refused[0]!.reason).toContain('outside the ingested folder');
    expect(files.some((file) => file.path.includes('out'))).toBe(false);
  });

  it('refuses files larger than maxFileBytes when read', async () => {
    const { files } = await folderSource(root, { maxFileBytes: 10 }).list();
    await expect(files.find((file) => file.path === 'readme.md')!.read()).rejects.toThrow(/maxFileBytes/);
  });

  it('refuses a FIFO named like a document without opening it (opening one blocks until a writer comes)', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'knowledge-fifo-'));
    try {
      writeFileSync(join(folder, 'real.md'), '# Real\n\ntext');
      execFileSync('mkfifo', [join(folder, 'pipe.md')]);
      const { files, refused } = await folderSource(folder).list();
      expect(files.map((file) => file.path)).toEqual(['real.md']);
      expect(refused).toEqual([{ path: 'pipe.md', reason: 'not a regular file (a FIFO, socket or device)' }]);
      await expect(readFileInside(folder, 'pipe.md')).rejects.toThrow(/pipe\.md is not a regular file/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 10_000);

  it('fails clearly for a folder that does not exist', async () => {
    await expect(folderSource(join(base, 'missing')).list()).rejects.toThrow(/not a readable folder/);
  });
});

describe('readFileInside', () => {
  it('reads a file inside the root', async () => {
    expect(new TextDecoder().decode(await readFileInside(root, 'notes.txt'))).toContain('gears');
  });

  it.each([['../outside.md'], ['guide/../../outside.md'], ['link-out.md'], ['dir-out/x.md'], ['/etc/passwd']])('refuses %s', async (path) => {
    const error = await readFileInside(root, path).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
  });
});

describe('parsers on real files', () => {
  it('reads Markdown into sections under their heading path, ignoring # in code fences', async () => {
    const sections = markdownSections('---\ntitle: x\n---\n# A\n\none\n\n## B\n\ntwo\n\n```\n# code\n```\n\nSetext\n------\n\nthree\n\n# C\nfour');
    expect(sections).toEqual([
      { headings: ['A'], text: 'one' },
      { headings: ['A', 'B'], text: 'two\n\n```\n# code\n```' },
      { headings: ['A', 'Setext'], text: 'three' },
      { headings: ['C'], text: 'four' },
    ]);
  });

  it('strips HTML tags with a parser: entities decoded, scripts, styles, head and ignored classes dropped', async () => {
    const { files } = await folderSource(root).list();
    const html = files.find((file) => file.format === 'html')!;
    const sections = await parseDocument(html.path, html.format, await html.read(), { html: { ignoreClasses: ['navheader'] } });
    expect(sections).toEqual([
      { headings: ['Guide'], text: 'Fish & chips\u00a0are tasty.' },
      { headings: ['Guide', 'Details'], text: '- one\n- two\n\n  keep\n    spaces' },
    ]);
    const withBox = htmlSections('<h2>Serial</h2><div class="note"><h3>Note</h3><p>Careful.</p></div><p>After the note.</p><h2>Next</h2><p>y</p>');
    expect(withBox).toEqual([
      { headings: ['Serial'], text: 'Note\n\nCareful.\n\nAfter the note.' },
      { headings: ['Next'], text: 'y' },
    ]);
    const withNavigation = htmlSections('<div class="navheader">Prev Next</div><h1>T</h1><p>x</p>');
    expect(withNavigation[0]).toEqual({ headings: [], text: 'Prev Next' });
  });

  it('extracts the text of a real PDF, one section per page', async () => {
    const { files } = await folderSource(root).list();
    const pdf = files.find((file) => file.format === 'pdf')!;
    const sections = await parseDocument(pdf.path, pdf.format, await pdf.read());
    expect(sections).toEqual([
      { headings: ['Page 1'], text: 'The first page explains sprockets.' },
      { headings: ['Page 2'], text: 'The second page covers flanges.' },
    ]);
  });

  it('parses long runs of spaces in linear time (no regular expression backtracking over them)', () => {
    const spaces = ' '.repeat(200_000);
    const started = performance.now();
    expect(markdownSections(`#${spaces}\u2028\n\nbody`)).toEqual([{ headings: ['(untitled)'], text: 'body' }]);
    expect(markdownSections(`# Title${spaces}x ##\n\none\n\n## C#\n\ntwo\n\n# ##\n\nthree`)).toEqual([
      { headings: [`Title${spaces}x`], text: 'one' },
      { headings: [`Title${spaces}x`, 'C#'], text: 'two' },
      { headings: ['(untitled)'], text: 'three' },
    ]);
    expect(htmlSections(`<h1>T</h1><pre>a${spaces}b</pre><p>c</p>`)[0]!.text).toBe(`a${spaces}b\n\nc`);
    expect(chunkSections([{ headings: [], text: `a${spaces}b` }], { maxTokens: 16, overlapTokens: 0 }).map((chunk) => chunk.text)).toEqual([`a${spaces}b`]);
    // Before, the heading line alone took minutes and the other three seconds each.
    expect(performance.now() - started).toBeLessThan(2000);
  }, 20_000);

  it('reads text files whole and refuses bytes that are not UTF-8', async () => {
    expect(await parseDocument('a.txt', 'text', new TextEncoder().encode('hello\r\nworld\n'))).toEqual([{ headings: [], text: 'hello\nworld' }]);
    await expect(parseDocument('b.txt', 'text', new Uint8Array([0xff, 0xfe, 0x00, 0xd8]))).rejects.toThrow(/not valid UTF-8/);
  });

  it('refuses a PDF over the page or text limit, naming the file and the fix', async () => {
    const pdf = await samplePdf(['Page one text.', 'Page two text.', 'Page three text.']);
    await expect(parseDocument('long.pdf', 'pdf', pdf, { pdf: { maxPages: 2 } })).rejects.toThrow(/long\.pdf has 3 pages, over the limit of 2; split it/);
    await expect(parseDocument('wordy.pdf', 'pdf', pdf, { pdf: { maxTextChars: 20 } })).rejects.toThrow(/wordy\.pdf holds more than 20 characters of text \(reached on page 2\)/);
    expect((await parseDocument('ok.pdf', 'pdf', pdf, { pdf: { maxPages: 3 } })).map((section) => section.text)).toEqual(['Page one text.', 'Page two text.', 'Page three text.']);
  });

  it('reports a corrupt PDF as an error', async () => {
    await expect(parseDocument('bad.pdf', 'pdf', new TextEncoder().encode('%PDF-1.7 garbage'))).rejects.toThrow();
  });
});

describe('storageSource', () => {
  it('lists the storage resource’s documents under a prefix and reads them', async () => {
    const storage = inMemoryStorage();
    await storage.put('kb/a.md', '# A\n\nalpha');
    await storage.put('kb/sub/b.txt', 'beta');
    await storage.put('kb/c.json', '{}');
    await storage.put('other/d.md', '# D');
    const { files } = await storageSource(storage, { prefix: 'kb/' }).list();
    expect(files.map((file) => file.path)).toEqual(['a.md', 'sub/b.txt']);
    expect(new TextDecoder().decode(await files[1]!.read())).toBe('beta');
  });

  it('refuses an object that grew past maxFileBytes between listing and reading', async () => {
    const storage = inMemoryStorage();
    await storage.put('kb/a.md', 'small');
    const { files } = await storageSource(storage, { prefix: 'kb/', maxFileBytes: 10 }).list();
    await storage.put('kb/a.md', 'x'.repeat(1000));
    await expect(files[0]!.read()).rejects.toThrow(/kb\/a\.md is 1000 bytes, more than maxFileBytes \(10\)/);
  });
});
