/** `word` as one POSIX shell word: unchanged when it is plain, else in single quotes (a path with spaces stays one argument). */
export function shellQuote(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
