import { MissingPackageError } from '@entity/core';
import type { DocumentSection } from './document.js';

/**
 * Text of a PDF, one section per page (`Page 3`), extracted with unpdf (Mozilla's PDF.js built
 * for servers, no native code). Loaded on first use so agents without PDFs never pay for it.
 */
export async function pdfSections(bytes: Uint8Array): Promise<DocumentSection[]> {
  let unpdf: typeof import('unpdf');
  try {
    unpdf = await import('unpdf');
  } catch (error) {
    throw new MissingPackageError('unpdf', 'Reading PDF files', { cause: error });
  }
  // Given bytes, unpdf opens and destroys the document itself. PDF.js takes ownership of
  // (detaches) the buffer it is given: pass a copy.
  const { text } = await unpdf.extractText(new Uint8Array(bytes), { mergePages: false });
  return text
    .map((page, index) => ({ headings: [`Page ${index + 1}`], text: page.replace(/[ \t]+\n/g, '\n').trim() }))
    .filter((section) => section.text !== '');
}
