import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A real two-page PDF made with pdf-lib, one paragraph per page. */
export async function samplePdf(pages: readonly string[]): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  for (const text of pages) {
    const page = document.addPage([400, 300]);
    page.drawText(text, { x: 30, y: 250, size: 12, font, maxWidth: 340, lineHeight: 16 });
  }
  return document.save();
}
