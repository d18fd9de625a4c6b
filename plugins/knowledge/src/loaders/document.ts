/** A part of a document under its headings: the unit the chunker splits. */
export interface DocumentSection {
  /** Heading path from the top (`['Installation', 'On Linux']`); empty for text before any heading. */
  headings: string[];
  text: string;
}

/** Formats the loaders read, by file extension. */
export type DocumentFormat = 'markdown' | 'text' | 'html' | 'pdf';

/** One file of a source, read only when its content is needed. */
export interface SourceFile {
  /** `/`-separated path relative to the source's root: the citation shown to users. */
  path: string;
  format: DocumentFormat;
  read(): Promise<Uint8Array>;
}

/** Where an ingest reads files from: a folder, the storage resource, or your own. */
export interface DocumentSource {
  /** Shown in progress and errors, e.g. `folder ./docs`. */
  readonly description: string;
  /** Every file to ingest, plus those refused (outside the root, too large). */
  list(): Promise<{ files: SourceFile[]; refused: RefusedFile[] }>;
}

/** A file the source would not read, and why. */
export interface RefusedFile {
  path: string;
  reason: string;
}

const EXTENSIONS: Record<string, DocumentFormat> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
};

/** The format of a file name by its extension, or undefined when no loader reads it. */
export function formatOf(name: string): DocumentFormat | undefined {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? undefined : EXTENSIONS[name.slice(dot).toLowerCase()];
}
