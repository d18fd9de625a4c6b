import type { Logger } from '@entity/core';
import { ToolError } from '@entity/core';
import { computeRetryDelay, untilAborted } from '@entity/core/internal';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  CallToolResult,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  Tool as McpToolDefinition,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpServerSettings } from './server-settings.js';

/** Settings only code can give (objects, not YAML values). */

/** Pages of a server's list (tools, resources, prompts) read at most; a longer list is a broken or hostile server. */
const MAX_LIST_PAGES = 100;

/**
 * Characters of a server's tool description kept: the description goes into every model request
 * of the agent, and a server (not the agent's author) writes it.
 */
export const MAX_TOOL_DESCRIPTION_CHARS = 4_000;

/** A connection that lasts this long resets the backoff of a server that keeps going away. */
const STABLE_CONNECTION_MS = 30_000;
export interface McpServerCodeOptions {
  /** OAuth for an HTTP server (the SDK's `OAuthClientProvider`). */
  authProvider?: OAuthClientProvider;
}

/** What Entity knows about one of the server's tools after listing them. */
export interface ListedTool {
  definition: McpToolDefinition;
  /** Checks arguments against the tool's input schema; undefined when the schema is not usable. */
  check: ((args: unknown) => { valid: boolean; errorMessage?: string | undefined }) | undefined;
  /** Why the schema is not usable (it does not compile). */
  schemaProblem: string | undefined;
}

const MAX_RECONNECT_DELAY_MS = 30_000;
// The SDK's own request timeout (60 s) must not cut a call short: the tool's budget, enforced by
// core's tool runner through the abort signal, is the one that applies.
const NO_SDK_TIMEOUT_MS = 2_147_483_647;

/**
 * One MCP server: its client, connected on demand, and reconnected with backoff after the server
 * goes away (a stdio child that died, an HTTP session that ended). Calls while it is away try to
 * connect at once; a failure is a ToolError the model can read.
 */
export class McpConnection {
  #client: Client | undefined;
  #connecting: Promise<Client> | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  /** Connections in a row that went away soon after connecting: they count as failures for the backoff. */
  #flaps = 0;
  #connectedAt = 0;
  #closed = false;
  #tools = new Map<string, ListedTool>();
  #serverInstructions: string | undefined;

  constructor(
    /** The server's name in the config. */
    readonly name: string,
    readonly settings: McpServerSettings,
    private log: Logger,
    private readonly codeOptions: McpServerCodeOptions = {},
  ) {}

  /** Where the connection logs from now on (the agent's logger, once the plugin starts). */
  useLogger(log: Logger): void {
    this.log = log;
  }

  /** Allows connecting again after `close()` (an agent started again after a stop). */
  reopen(): void {
    this.#closed = false;
  }

  /** True while a client is connected. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Tools the server listed at the last connection, by their MCP name. */
  get tools(): ReadonlyMap<string, ListedTool> {
    return this.#tools;
  }

  /** Instructions the server sent at the handshake, if any. */
  get instructions(): string | undefined {
    return this.#serverInstructions;
  }

  /** The connected client, connecting first when needed (one attempt at a time). */
  async client(signal?: AbortSignal): Promise<Client> {
    if (this.#closed) throw new ToolError(this.name, `MCP server "${this.name}" is closed: the agent is stopping`, { code: 'MCP_SERVER_CLOSED' });
    if (this.#client) return this.#client;
    if (!this.#connecting) {
      const attempt = this.#connect();
      this.#connecting = attempt;
      const clear = () => {
        if (this.#connecting === attempt) this.#connecting = undefined;
      };
      attempt.then(clear, () => {
        clear();
        this.#scheduleReconnect();
      });
    }
    return signal ? untilAborted(this.#connecting, signal) : this.#connecting;
  }

  async #connect(): Promise<Client> {
    const [{ Client }, transport] = await Promise.all([import('@modelcontextprotocol/sdk/client/index.js'), this.#transport()]);
    const client = new Client({ name: 'entity', version: '0.1.0' }, { capabilities: {} });
    client.onerror = (error) => this.log.debug(`MCP server "${this.name}": ${error.message}`, { component: 'mcp', server: this.name });
    client.onclose = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      if (this.#closed) return;
      // A server that dies right after each connection would otherwise be respawned at the base delay forever.
      this.#flaps = Date.now() - this.#connectedAt < STABLE_CONNECTION_MS ? this.#flaps + 1 : 0;
      const delayMs = this.#scheduleReconnect();
      this.log.warn(`MCP server "${this.name}" went away; reconnecting in ${delayMs} ms`, { component: 'mcp', server: this.name });
    };
    try {
      const timeout = this.settings.connectTimeoutMs;
      await client.connect(transport, { timeout });
      this.#tools = await this.#listTools(client, timeout);
      this.#serverInstructions = client.getInstructions();
      if (this.#closed) throw new Error('the agent stopped while connecting');
      this.#client = client;
      this.#failures = 0;
      this.#connectedAt = Date.now();
      this.log.info(`MCP server "${this.name}" connected (${this.#tools.size} tools)`, { component: 'mcp', server: this.name });
      return client;
    } catch (error) {
      await client.close().catch(() => undefined);
      this.#failures += 1;
      const reason = error instanceof Error ? error.message : String(error);
      // The SDK's HTTP errors carry the status as `code`; say it, a 401 or 404 is the fix's best hint.
      const status = (error as { code?: unknown }).code;
      const http = typeof status === 'number' && status >= 400 && status < 600 ? ` (HTTP ${status})` : '';
      throw new ToolError(this.name, `MCP server "${this.name}" cannot be reached${http}: ${reason}`, { code: 'MCP_SERVER_UNAVAILABLE', cause: error, retryable: true });
    }
  }

  async #transport() {
    const { settings } = this;
    if (settings.command !== undefined) {
      const { StdioClientTransport, getDefaultEnvironment } = await import('@modelcontextprotocol/sdk/client/stdio.js');
      const transport = new StdioClientTransport({
        command: settings.command,
        args: settings.args ?? [],
        env: { ...getDefaultEnvironment(), ...settings.env },
        ...(settings.cwd ? { cwd: settings.cwd } : {}),
        // Piped, never inherited: a host serving over stdio (`entity mcp`) keeps its stdout for protocol messages.
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        this.log.debug(`MCP server "${this.name}" stderr: ${chunk.toString('utf8').trimEnd()}`, { component: 'mcp', server: this.name });
      });
      return transport;
    }
    const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
    return new StreamableHTTPClientTransport(new URL(settings.url!), {
      ...(settings.headers ? { requestInit: { headers: settings.headers } } : {}),
      ...(this.codeOptions.authProvider ? { authProvider: this.codeOptions.authProvider } : {}),
    });
  }

  async #listTools(client: Client, timeout: number): Promise<Map<string, ListedTool>> {
    const { AjvJsonSchemaValidator } = await import('@modelcontextprotocol/sdk/validation/ajv');
    const validator = new AjvJsonSchemaValidator();
    const tools = new Map<string, ListedTool>();
    const allowed = new Set(this.settings.allow);
    // `timeout` is the budget of the whole list, not of each page: a server that always names a
    // next page would otherwise hold the connection (and the agent's start) forever.
    const deadline = Date.now() + timeout;
    let cursor: string | undefined;
    let pages = 0;
    do {
      if (++pages > MAX_LIST_PAGES) throw new Error(`its tool list has more than ${MAX_LIST_PAGES} pages`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`its tool list took longer than ${timeout} ms (connectTimeoutMs) to list`);
      const page = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: remaining });
      for (const definition of page.tools) {
        let check: ListedTool['check'];
        let schemaProblem: string | undefined;
        // Only allowed tools are ever called: the others' schemas (the server's to write, of any
        // size or depth) are not compiled, nor kept beyond their names and descriptions.
        if (!allowed.has(definition.name)) {
          tools.set(definition.name, { definition: { name: definition.name, inputSchema: { type: 'object' } }, check: undefined, schemaProblem: undefined });
          continue;
        }
        try {
          check = validator.getValidator(definition.inputSchema as never);
        } catch (error) {
          schemaProblem = error instanceof Error ? error.message : String(error);
          this.log.warn(`MCP server "${this.name}" gives tool "${definition.name}" an input schema that does not compile: ${schemaProblem}`, { component: 'mcp', server: this.name });
        }
        tools.set(definition.name, { definition, check, schemaProblem });
      }
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /** Schedules one reconnect attempt, backing off with failures and flaps; returns its delay (0: none scheduled). */
  #scheduleReconnect(): number {
    if (this.#closed || this.#reconnectTimer || this.#connecting) return 0;
    const delayMs = computeRetryDelay(Math.max(1, this.#failures + this.#flaps), undefined, { baseDelayMs: this.settings.reconnectDelayMs, maxDelayMs: MAX_RECONNECT_DELAY_MS });
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.client().catch((error: unknown) => {
        this.log.warn(`MCP server "${this.name}": reconnect attempt ${this.#failures} failed: ${(error as Error).message}`, { component: 'mcp', server: this.name });
      });
    }, delayMs);
    // A server that stays away must not keep the process alive.
    this.#reconnectTimer.unref();
    return delayMs;
  }

  /** Calls one of the server's tools; the signal (the tool's timeout, the run's cancellation) cancels it at the server too. */
  async callTool(name: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const client = await this.client(signal);
    return (await client.callTool({ name, arguments: args }, undefined, { signal, timeout: NO_SDK_TIMEOUT_MS })) as CallToolResult;
  }

  /** Every resource the server lists (all pages). */
  async listResources(signal?: AbortSignal): Promise<Resource[]> {
    const client = await this.client(signal);
    return this.#allPages('resource', (cursor) => client.listResources(cursor === undefined ? {} : { cursor }, signal ? { signal } : {}), (page) => page.resources);
  }

  /** The contents of one resource. */
  async readResource(uri: string, signal?: AbortSignal): Promise<ReadResourceResult> {
    const client = await this.client(signal);
    return client.readResource({ uri }, signal ? { signal } : {});
  }

  /** Every prompt the server lists (all pages). */
  async listPrompts(signal?: AbortSignal): Promise<Prompt[]> {
    const client = await this.client(signal);
    return this.#allPages('prompt', (cursor) => client.listPrompts(cursor === undefined ? {} : { cursor }, signal ? { signal } : {}), (page) => page.prompts);
  }

  /** Reads a paged list to its end, at most MAX_LIST_PAGES pages: a server that always names a next page must not loop us forever. */
  async #allPages<Page extends { nextCursor?: string | undefined }, Item>(
    what: string,
    read: (cursor: string | undefined) => Promise<Page>,
    itemsOf: (page: Page) => Item[],
  ): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | undefined;
    for (let pages = 1; ; pages += 1) {
      if (pages > MAX_LIST_PAGES) {
        throw new Error(`MCP server "${this.name}" lists more than ${MAX_LIST_PAGES} pages of ${what}s; it is broken or hostile`);
      }
      const page = await read(cursor);
      items.push(...itemsOf(page));
      cursor = page.nextCursor;
      if (!cursor) return items;
    }
  }

  /** One prompt, filled in with `args`. */
  async getPrompt(name: string, args: Record<string, string> = {}, signal?: AbortSignal): Promise<GetPromptResult> {
    const client = await this.client(signal);
    return client.getPrompt({ name, arguments: args }, signal ? { signal } : {});
  }

  /** Stops reconnecting and closes the client: a stdio child is ended (SIGTERM, then SIGKILL), an HTTP session deleted. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const pending = this.#connecting;
    if (pending) await pending.catch(() => undefined);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      const transport = client.transport as { terminateSession?: () => Promise<void> } | undefined;
      await transport?.terminateSession?.().catch(() => undefined);
      await client.close();
    }
  }
}
