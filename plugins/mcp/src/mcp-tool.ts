import { CancelledError, defineTool, type JsonSchema, type Tool, ToolError } from '@entity/core';
import { z } from 'zod';
import { type McpConnection, MAX_TOOL_DESCRIPTION_CHARS } from './mcp-connection.js';
import { resultBytes, toolErrorText, toolResultValue } from './tool-result.js';

/** What a model sees for a tool whose schema is unknown (not connected yet) or unusable. */
const ANY_OBJECT: JsonSchema = { type: 'object' };

/** The Entity name of an MCP tool: the prefix, then the MCP name with characters providers refuse replaced by `_`. */
export function entityToolName(prefix: string, mcpName: string): string {
  return `${prefix}${mcpName.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
}

/**
 * One allowed tool of an MCP server as an Entity tool. It exists from registration (the
 * allow-list names it); its description and JSON Schema come from the server once connected.
 * Arguments are checked against the server's schema before the call; every failure (server gone,
 * unusable schema, error result, oversized result) is a ToolError the model can read.
 */
export function mcpTool(connection: McpConnection, mcpName: string, prefix: string): Tool<Record<string, unknown>, unknown> {
  const server = connection.name;
  const listed = () => connection.tools.get(mcpName);
  const input = z
    .record(z.string(), z.unknown())
    .default({})
    .superRefine((args, context) => {
      const check = listed()?.check;
      if (!check) return;
      const outcome = check(args);
      if (!outcome.valid) context.addIssue({ code: 'custom', message: outcome.errorMessage ?? 'the arguments do not match the tool\'s schema' });
    });
  const execute = async (args: Record<string, unknown>, context: { signal: AbortSignal }): Promise<unknown> => {
    // Connect first: the tool list (and so whether the tool exists) is known only then.
    await connection.client(context.signal);
    const tool = listed();
    if (!tool) {
      const offered = [...connection.tools.keys()].join(', ') || 'none';
      throw new ToolError(name, `MCP server "${server}" does not offer a tool "${mcpName}" (it offers: ${offered})`, { code: 'MCP_TOOL_MISSING' });
    }
    if (tool.schemaProblem !== undefined) {
      throw new ToolError(name, `MCP server "${server}" gives tool "${mcpName}" an input schema that is not valid JSON Schema (${tool.schemaProblem}); it cannot be called until the server fixes it`, {
        code: 'MCP_BAD_SCHEMA',
      });
    }
    let result: Awaited<ReturnType<McpConnection['callTool']>>;
    try {
      result = await connection.callTool(mcpName, args, context.signal);
    } catch (error) {
      if (context.signal.aborted || CancelledError.isInstance(error) || ToolError.isInstance(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ToolError(name, `MCP server "${server}" failed on tool "${mcpName}": ${reason}`, { code: 'MCP_CALL_FAILED', cause: error });
    }
    if (result.isError) throw new ToolError(name, toolErrorText(result, connection.settings.maxResultBytes), { code: 'MCP_TOOL_ERROR' });
    const value = toolResultValue(result);
    const bytes = resultBytes(value);
    const limit = connection.settings.maxResultBytes;
    if (bytes > limit) {
      throw new ToolError(name, `The result of tool "${name}" is ${bytes} bytes, over the limit of ${limit}; ask for less (a narrower query, fewer items), or raise maxResultBytes of MCP server "${server}"`, {
        code: 'MCP_RESULT_TOO_LARGE',
      });
    }
    return value;
  };
  const name = entityToolName(prefix, mcpName);
  // defineTool checks the name the way every tool's name is checked; the schema and description are the server's, so they are read live below.
  const checked = defineTool({ name, description: `Tool "${mcpName}" of MCP server "${server}"`, input, execute });
  return {
    name: checked.name,
    input: checked.input,
    execute: checked.execute,
    ...(connection.settings.timeoutMs === undefined ? {} : { timeoutMs: connection.settings.timeoutMs }),
    get description() {
      const description = listed()?.definition.description ?? checked.description;
      return description.length > MAX_TOOL_DESCRIPTION_CHARS ? `${description.slice(0, MAX_TOOL_DESCRIPTION_CHARS)}…` : description;
    },
    get parameters() {
      const tool = listed();
      return tool && tool.schemaProblem === undefined ? (tool.definition.inputSchema as JsonSchema) : ANY_OBJECT;
    },
  };
}
