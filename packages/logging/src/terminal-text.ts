/**
 * Terminal control sequences and characters that text from outside (model output, tool results,
 * plugin messages) could use to rewrite the user's terminal: CSI (cursor moves, screen clears),
 * OSC (window titles, hyperlinks, clipboard writes), DCS/SOS/PM/APC strings, other escapes, the
 * remaining C0 controls except tab and newline (carriage return and backspace overwrite what was
 * shown), DEL, C1 controls, and the bidirectional overrides that make text read differently from
 * what it is. An unterminated string sequence ends at the line's end, so the next line survives.
 */
const PATTERN = [
  '(?:\\u001b\\]|\\u009d)[^\\u0007\\u001b\\u009c\\n]*(?:\\u0007|\\u001b\\\\|\\u009c)?', // OSC ... BEL | ST
  '(?:\\u001b[PX^_]|[\\u0090\\u0098\\u009e\\u009f])[^\\u001b\\u009c\\n]*(?:\\u001b\\\\|\\u009c)?', // DCS, SOS, PM, APC ... ST
  '(?:\\u001b\\[|\\u009b)[0-?]*[ -/]*[@-~]?', // CSI
  '\\u001b[ -/]*[0-~]?', // any other escape sequence
  '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]', // C0 except tab and newline, DEL, C1
  '[\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]', // bidi marks, embeddings, overrides, isolates
].join('|');
const TERMINAL_CONTROLS = new RegExp(PATTERN, 'g');
// Without the global flag `test` keeps no state between calls; most text has nothing to strip.
const HAS_TERMINAL_CONTROLS = new RegExp(PATTERN);

/** Removes terminal control sequences and characters, keeping tab and newline. */
export const stripTerminalControls = (text: string): string => (HAS_TERMINAL_CONTROLS.test(text) ? text.replace(TERMINAL_CONTROLS, '') : text);

/** Characters JSON leaves raw that a terminal still acts on (JSON escapes C0 itself). */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const HAS_RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Escapes them as `\uXXXX` in a JSON line: the line stays valid JSON with the same value. */
export const escapeTerminalControlsInJson = (line: string): string =>
  HAS_RAW_IN_JSON.test(line) ? line.replace(RAW_IN_JSON, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`) : line;
