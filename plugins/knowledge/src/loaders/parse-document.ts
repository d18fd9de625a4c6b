import { ValidationError } from '@entity/core';
import type { DocumentFormat, DocumentSection } from './document.js';
import { type HtmlOptions, htmlSections } from './html-sections.js';
import { markdownSections } from './markdown-sections.js';
import { type PdfLimits, pdfSections } from './pdf-sections.js';

export interface ParseOptions {
  html?: HtmlOptions;
  pdf?: PdfLimits;
}

function decodeText(bytes: Uint8Array, path: string): string {
  try {
    // fatal: a binary file with a text extension is reported, not ingested as mojibake.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ValidationError(`${path} is not valid UTF-8 text; convert it to UTF-8 or remove it from the folder`);
  }
}

/** The sections of one file, by its format. */
export async function parseDocument(path: string, format: DocumentFormat, bytes: Uint8Array, options: ParseOptions = {}): Promise<DocumentSection[]> {
  switch (format) {
    case 'markdown':
      return markdownSections(decodeText(bytes, path));
    case 'html':
      return htmlSections(decodeText(bytes, path), options.html);
    case 'pdf':
      return pdfSections(bytes, path, options.pdf);
    case 'text': {
      const text = decodeText(bytes, path).replace(/\r\n?/g, '\n').trim();
      return text === '' ? [] : [{ headings: [], text }];
    }
  }
}
