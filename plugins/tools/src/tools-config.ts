import { parseByteSize } from '@entity/resources-storage';
import { z } from 'zod';
import { DEFAULT_CALCULATOR_MAX_LENGTH } from './calculator-tool.js';
import { DEFAULT_FETCH_MAX_BYTES, DEFAULT_FETCH_MAX_REDIRECTS, DEFAULT_FETCH_TIMEOUT_MS } from './fetch-tool.js';
import { hostEntryProblem } from './host-allow-list.js';
import { parseAddressRange } from './network-address.js';
import { checkTimeZone } from './time-zones.js';

/** The tools a config can pick. `files` is `read_file`, `list_files` and (unless read-only) `write_file`. */
export const TOOL_NAMES = ['calculator', 'time', 'fetch', 'files'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

const MAX_FETCH_BYTES = 50 * 1024 * 1024;

/** A positive whole number of bytes, or a size such as `"256 KB"` (binary units, as storage's `maxFileSize`). */
const byteSize = (max: number) =>
  z.union([z.number(), z.string()]).transform((value, context) => {
    try {
      const bytes = parseByteSize(value);
      if (bytes <= max) return bytes;
      context.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is more than the ${max}-byte limit` });
    } catch {
      context.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a size; use a number of bytes or a size like "256 KB"` });
    }
    return z.NEVER;
  });

const checked = (check: (value: string) => string | undefined) =>
  z.string().superRefine((value, context) => {
    const problem = check(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

const addressProblem = (value: string) => {
  try {
    parseAddressRange(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

const sections = {
  calculator: z
    .object({
      maxLength: z.number().int().min(1).max(100_000).default(DEFAULT_CALCULATOR_MAX_LENGTH).describe('Longest expression accepted, in characters. Default: 1000.'),
    })
    .strict(),
  time: z
    .object({
      defaultTimeZone: checked((zone) => {
        const result = checkTimeZone(zone);
        return result.ok ? undefined : result.message;
      })
        .default('UTC')
        .describe('IANA zone used when the model names none. Default: UTC.'),
    })
    .strict(),
  fetch: z
    .object({
      allowHosts: z
        .array(checked(hostEntryProblem))
        .min(1, 'list at least one host; with none the fetch tool could fetch nothing')
        .describe('Hosts the model may fetch from: "api.example.com" or "*.example.com". Required.'),
      maxBytes: byteSize(MAX_FETCH_BYTES).default(DEFAULT_FETCH_MAX_BYTES).describe('Most body bytes returned (a number or "256 KB"). Default: 256 KB.'),
      timeoutMs: z.number().int().min(100).max(300_000).default(DEFAULT_FETCH_TIMEOUT_MS).describe('Time for one whole fetch, redirects included. Default: 10000.'),
      maxRedirects: z.number().int().min(0).max(20).default(DEFAULT_FETCH_MAX_REDIRECTS).describe('Most redirects followed, each checked like the first URL. Default: 3.'),
      allowPrivateAddresses: z
        .array(checked(addressProblem))
        .default([])
        .describe('IP addresses or CIDR ranges exempt from the public-address rule (tests, one known internal service). Default: none.'),
    })
    .strict(),
  files: z
    .object({
      readOnly: z.boolean().default(false).describe('Only read_file and list_files; no write_file. Default: false.'),
      resource: z.string().min(1).default('storage').describe('Name of the storage resource. Default: storage.'),
      scope: z
        .union([z.literal('user'), z.object({ folder: z.string().min(1) }).strict()])
        .default('user')
        .describe('"user": each user sees only their own folder; { folder } one shared folder. Default: user.'),
      maxReadBytes: byteSize(16 * 1024 * 1024).optional().describe('Most bytes read_file returns. Default: 64 KB.'),
      quota: z
        .object({ maxBytes: z.union([z.number(), z.string()]).optional(), maxFiles: z.number().int().min(1).optional() })
        .strict()
        .optional()
        .describe('Most bytes and files per scope for write_file. Default: 100 MB and 1000 files.'),
    })
    .strict(),
};

/**
 * Config of `@entity/plugin-tools` in agent.yaml. Unknown keys are rejected (with a did-you-mean
 * from core); a section for a tool not in `tools`, or `fetch` without its section, is an error
 * rather than a setting that silently does nothing.
 */
export const toolsConfigSchema = z
  .object({
    tools: z
      .array(z.enum(TOOL_NAMES))
      .min(1)
      .default(['calculator', 'time'])
      .describe('Which tools to register: calculator, time, fetch, files. Default: [calculator, time].'),
    calculator: sections.calculator.optional(),
    time: sections.time.optional(),
    fetch: sections.fetch.optional(),
    files: sections.files.optional(),
  })
  .strict()
  .superRefine((config, context) => {
    const chosen = new Set(config.tools);
    if (chosen.size !== config.tools.length) context.addIssue({ code: 'custom', path: ['tools'], message: 'a tool is listed twice; list each once' });
    for (const name of ['calculator', 'time', 'fetch', 'files'] as const) {
      if (config[name] !== undefined && !chosen.has(name)) {
        context.addIssue({ code: 'custom', path: [name], message: `settings for "${name}" are given but "${name}" is not in tools; add it to tools or remove the section` });
      }
    }
    if (chosen.has('fetch') && config.fetch === undefined) {
      context.addIssue({ code: 'custom', path: ['fetch'], message: 'the fetch tool needs fetch.allowHosts: the hosts it may fetch from (e.g. fetch: { allowHosts: [api.example.com] })' });
    }
  });

export type ToolsConfig = z.output<typeof toolsConfigSchema>;
