import { MissingPackageError, ValidationError } from '@entity/core';
import type { DocumentSection } from './document.js';

/** Bounds on one PDF: a small file can hold thousands of pages or compressed text that unpacks to gigabytes. */
export interface PdfLimits {
  /** Pages read at most; a longer PDF is refused before any page is read. Default 2,000. */
  maxPages?: number;
  /** Characters of extracted text at most, all pages together. Default 20,000,000. */
  maxTextChars?: number;
}

export const DEFAULT_PDF_LIMITS: Required<PdfLimits> = { maxPages: 2_000, maxTextChars: 20_000_000 };

interface PdfTextItem {
  str?: string;
  hasEOL?: boolean;
}

/**
 * Text of a PDF, one section per page (`Page 3`), extracted with unpdf (Mozilla's PDF.js built
 * for servers, no native code). Loaded on first use so agents without PDFs never pay for it.
 * Pages are read one at a time (unpdf's `extractText` reads all of them at once), so the limits
 * stop a hostile file early.
 */
export async function pdfSections(bytes: Uint8Array, path = 'the PDF', limits: PdfLimits = {}): Promise<DocumentSection[]> {
  const { maxPages, maxTextChars } = { ...DEFAULT_PDF_LIMITS, ...limits };
  let unpdf: typeof import('unpdf');
  try {
    unpdf = await import('unpdf');
  } catch (error) {
    throw new MissingPackageError('unpdf', 'Reading PDF files', { cause: error });
  }
  // PDF.js takes ownership of (detaches) the buffer it is given: pass a copy.
  const pdf = await unpdf.getDocumentProxy(new Uint8Array(bytes));
  try {
    if (pdf.numPages > maxPages) {
      throw new ValidationError(`${path} has ${pdf.numPages} pages, over the limit of ${maxPages}; split it into smaller files or raise the PDF page limit`);
    }
    const sections: DocumentSection[] = [];
    let characters = 0;
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const content = await (await pdf.getPage(number)).getTextContent();
      const page = (content.items as PdfTextItem[])
        .filter((item) => item.str != null)
        .map((item) => `${item.str}${item.hasEOL ? '\n' : ''}`)
        .join('');
      characters += page.length;
      if (characters > maxTextChars) {
        throw new ValidationError(`${path} holds more than ${maxTextChars} characters of text (reached on page ${number}); split it into smaller files or raise the PDF text limit`);
      }
      const text = page.replace(/[ \t]+\n/g, '\n').trim();
      if (text !== '') sections.push({ headings: [`Page ${number}`], text });
    }
    return sections;
  } finally {
    await pdf.loadingTask.destroy();
  }
}
