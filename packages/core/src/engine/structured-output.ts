import type { ZodType } from 'zod';
import type { Context } from '../contracts/context.js';
import type { JsonValue } from '../contracts/json.js';
import type { ChatRequest, ChatResponse, LLM } from '../contracts/llm.js';
import { EntityError, ValidationError } from '../errors/index.js';

/** What `chat(message, { output })` asked for: the answer's schema, and the name providers see. */
export interface OutputRequest {
  schema: ZodType;
  name: string;
}

/** A validated structured answer: `value` is the schema's output (what `result.output` holds), `json` what `response` carries. */
export interface StructuredAnswer {
  value: unknown;
  json: JsonValue;
  /** The text stored in history as the assistant's message. */
  text: string;
}

/** The answer of a run did not match the schema passed as `output`. */
export const OUTPUT_INVALID_CODE = 'OUTPUT_INVALID';
/** The LLM resource has no `generateObject`, so it cannot answer in a schema. */
export const STRUCTURED_OUTPUT_UNSUPPORTED_CODE = 'STRUCTURED_OUTPUT_UNSUPPORTED';

const OUTPUT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Checks the `output` and `outputName` options of `chat()`/`stream()` before a run starts. */
export function outputRequestOf(schema: unknown, name: unknown): OutputRequest | undefined {
  if (schema === undefined) {
    if (name !== undefined) throw new ValidationError('outputName was given without output; pass the answer\'s zod schema as output');
    return undefined;
  }
  if (typeof schema !== 'object' || schema === null || typeof (schema as { safeParse?: unknown }).safeParse !== 'function') {
    throw new ValidationError('output must be a zod schema, e.g. { output: z.object({ city: z.string() }) } (over HTTP, send a JSON Schema)');
  }
  if (name !== undefined && (typeof name !== 'string' || !OUTPUT_NAME_PATTERN.test(name))) {
    throw new ValidationError(`outputName "${String(name)}" is invalid: use 1-64 letters, digits, _ or -`);
  }
  return { schema: schema as ZodType, name: (name as string | undefined) ?? 'response' };
}

/** The JSON form of a schema's output (dates become strings, as on the wire). */
function toJson(value: unknown): JsonValue {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as JsonValue);
}

function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Validates an answer (a JSON value, or text holding JSON) against the requested schema. */
export function checkAnswer(answer: JsonValue, output: OutputRequest): { ok: true; answer: StructuredAnswer } | { ok: false; problem: string } {
  let value: unknown = answer;
  if (typeof answer === 'string') {
    // A Markdown fence around the JSON is how models (and people) often write it.
    const text = answer.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, '$1');
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, problem: 'the answer was not JSON' };
    }
  }
  const parsed = output.schema.safeParse(value);
  if (!parsed.success) return { ok: false, problem: describeIssues(parsed.error.issues) };
  // Like a generateObject answer, the JSON is that of the schema's output: one form whoever answered.
  const json = toJson(parsed.data);
  return { ok: true, answer: { value: parsed.data, json, text: JSON.stringify(json) } };
}

export function outputMismatch(output: OutputRequest, problem: string): ValidationError {
  return new ValidationError(`The answer did not match the output schema "${output.name}": ${problem}`, {
    code: OUTPUT_INVALID_CODE,
    safeMessage: 'The answer did not have the requested shape. Please try again.',
  });
}

/**
 * The model call of a run that asked for `output`. With tools offered, the model works through
 * them as usual (`chat`); once it answers without a tool call, that draft is used when it already
 * is JSON matching the schema, else the model is asked once more, in the schema, through the
 * resource's `generateObject` (which validates, and retries once with the problem). Without
 * tools, `generateObject` is the only call. No tokens stream: a draft may be replaced.
 */
export async function askForStructuredAnswer(
  context: Context,
  request: ChatRequest,
  llmName: string,
  output: OutputRequest,
): Promise<{ response: ChatResponse; answer: StructuredAnswer | undefined }> {
  const llm = context.resource<LLM>(llmName);
  if (typeof llm.generateObject !== 'function') {
    throw new EntityError(
      `The "${llmName}" resource (${llm.provider}) cannot answer in a schema: it has no generateObject(). ` +
        'Use a provider with structured output (OpenAI, Anthropic or Ollama from @entity/resources-llm), or call chat() without output.',
      { code: STRUCTURED_OUTPUT_UNSUPPORTED_CODE, safeMessage: 'This agent cannot produce the requested kind of answer.' },
    );
  }
  const { tools, toolChoice: _toolChoice, ...plain } = request;
  if (tools && tools.length > 0) {
    const draft = await llm.chat(request);
    if (draft.toolCalls.length > 0) return { response: draft, answer: undefined };
    const checked = checkAnswer(draft.content, output);
    if (checked.ok) return { response: { ...draft, content: checked.answer.text }, answer: checked.answer };
    context.advanced.addUsage(draft.usage);
  }
  const structured = await llm.generateObject({ ...plain, schema: output.schema, schemaName: output.name });
  const json = toJson(structured.object);
  const answer: StructuredAnswer = { value: structured.object, json, text: JSON.stringify(json) };
  const { object: _object, raw: _raw, ...meta } = structured;
  return { response: { ...meta, content: answer.text, toolCalls: [] }, answer };
}
