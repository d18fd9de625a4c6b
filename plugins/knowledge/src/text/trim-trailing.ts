/**
 * `text` without the trailing characters that are in `characters`. A loop, not `/[ \t]+$/`:
 * V8 runs that regular expression in time quadratic in a run of spaces that is not at the end
 * (it retries from every space of the run), and documents can hold such runs.
 */
export function trimTrailing(text: string, characters = ' \t'): string {
  let end = text.length;
  while (end > 0 && characters.includes(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Each line of `text` without trailing spaces and tabs (the linear form of `replace(/[ \t]+$/gm, '')`). */
export function trimLineEnds(text: string): string {
  return text
    .split('\n')
    .map((line) => trimTrailing(line))
    .join('\n');
}
