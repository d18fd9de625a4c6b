import type { CliContext } from './cli-context.js';

/** One flag of a command, in `node:util` parseArgs form plus what help shows. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  description: string;
  /** Shown after the flag in help: `--port <number>`. */
  valueName?: string;
  multiple?: boolean;
}

export interface ParsedCommand {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export type CommandHandler = (command: ParsedCommand, cli: CliContext) => Promise<number>;

/** A command's help and flags, kept apart from its code so `entity --help` loads no command module. */
export interface CommandSpec {
  /** `run`, or `plugin new` for sub-commands. */
  name: string;
  summary: string;
  usage: string;
  description?: string;
  options: Record<string, OptionSpec>;
  /** Fewest and most positional arguments. */
  positionals: [min: number, max: number];
  examples?: string[];
  /** Whether `--json` means something for this command. */
  json?: boolean;
  load(): Promise<{ default: CommandHandler }>;
}

const userOptions: Record<string, OptionSpec> = {
  user: { type: 'string', short: 'u', valueName: 'id', description: 'user id the conversation belongs to (default: from the session, else "default")' },
  conversation: { type: 'string', short: 'c', valueName: 'id', description: 'conversation id (default: from the session, else "default")' },
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    summary: 'Create a new agent project',
    usage: 'entity init [dir]',
    description: 'Scaffolds package.json (only the packages the project needs), agent.yaml, a sample plugin and tool, a test and a README. Asks a few questions on a terminal; --yes takes the defaults.',
    options: {
      yes: { type: 'boolean', short: 'y', description: 'do not ask; use the defaults and the flags given' },
      name: { type: 'string', valueName: 'name', description: 'project and agent name (default: the directory name)' },
      llm: { type: 'string', valueName: 'provider', description: 'ollama | openai | anthropic (default: ollama)' },
      memory: { type: 'string', valueName: 'kind', description: 'pglite | postgres | none (default: pglite)' },
      storage: { type: 'boolean', description: 'add file storage and the file tools' },
      force: { type: 'boolean', description: 'write into a directory that is not empty' },
      packages: { type: 'string', valueName: 'folder', description: 'install @entity/* from the tarballs in this folder (`pnpm release:pack` writes them; default: $ENTITY_PACKAGES, else the registry)' },
    },
    positionals: [0, 1],
    examples: ['entity init my-agent', 'entity init my-agent --yes --llm openai', 'entity init my-agent --packages ~/entity/dist-packages'],
    load: () => import('./commands/init.js'),
  },
  {
    name: 'chat',
    summary: 'Chat with an agent in the terminal',
    usage: 'entity chat [config]',
    description:
      'Streams the answer as it is written and shows tool calls. End a line with \\ to continue it, or wrap several lines in """. Commands: /reset, /history, /user <id>, /help, /exit. The conversation is kept in memory, so a restarted chat continues it. Exits 130 on Ctrl-C at the prompt (Ctrl-C during an answer cancels that turn), and 1 when messages piped in failed.',
    options: { ...userOptions, new: { type: 'boolean', description: 'start a new conversation instead of continuing the last one' } },
    positionals: [0, 1],
    examples: ['entity chat', 'entity chat agent.yaml --user alice'],
    load: () => import('./commands/chat.js'),
  },
  {
    name: 'run',
    summary: 'Send one message and print the answer',
    usage: 'entity run [config] <message>',
    description:
      'Runs one turn, in a new conversation unless --continue (the last `entity chat` session) or --conversation says otherwise. The answer goes to stdout as it streams; tool calls go to stderr. A failed turn prints the failure once on stderr (nothing on stdout) and exits 1. With --json, prints the status, the response and the run info (stages, tool calls, tokens, timings).',
    options: {
      user: { ...userOptions.user!, description: 'user id the conversation belongs to (default: "default", or the session\'s with --continue)' },
      conversation: { ...userOptions.conversation!, description: 'conversation id (default: a new one, or the session\'s with --continue)' },
      continue: { type: 'boolean', description: 'continue the last chat\'s user and conversation (.entity/cli-session.json) instead of starting a new conversation' },
      timeout: { type: 'string', valueName: 'ms', description: 'time budget of the run (default: the agent\'s runTimeoutMs)' },
    },
    positionals: [1, 2],
    json: true,
    examples: ['entity run "What is 2+3?"', 'entity run agent.yaml "Summarise the news" --json', 'entity run --continue "And what did I ask before?"'],
    load: () => import('./commands/run.js'),
  },
  {
    name: 'serve',
    summary: 'Serve the agent over HTTP (and WebSocket)',
    usage: 'entity serve [config]',
    description:
      'Starts the HTTP adapter (@entity/plugin-http) and, with --websocket, its WebSocket endpoint /v1/ws on the same port, configured by the server: section of agent.yaml (flags override it). Credentials, first found: --no-auth (loopback only); server.auth; ENTITY_API_KEYS (a JSON array of { name, hash: sha256 hex, role: admin|user|viewer, userIds }); the keys of `entity keys create` in .entity/api-keys.json. --watch reloads parameters when the config file changes; topology and server: changes need a restart.',
    options: {
      port: { type: 'string', short: 'p', valueName: 'number', description: 'port to listen on (default: server.port, else PORT, else 3000)' },
      host: { type: 'string', valueName: 'address', description: 'address to bind (default: server.host, else 127.0.0.1)' },
      'no-auth': { type: 'boolean', description: 'serve without credentials (development; direct loopback clients only: no proxy, tunnel or foreign Host). Otherwise: server.auth, ENTITY_API_KEYS or .entity/api-keys.json' },
      websocket: { type: 'boolean', description: 'also serve the WebSocket endpoint /v1/ws (same port and credentials)' },
      studio: { type: 'boolean', description: 'also serve Entity Studio at /studio (@entity/plugin-studio; server.studio: true in agent.yaml does the same)' },
      watch: { type: 'boolean', short: 'w', description: 'hot-reload parameters when the config changes' },
    },
    positionals: [0, 1],
    examples: ['entity serve --no-auth --watch', 'entity serve agent.yaml --studio', 'ENTITY_API_KEYS=\'[{"hash":"…","role":"user","userIds":"*"}]\' entity serve agent.yaml --port 8080'],
    load: () => import('./commands/serve.js'),
  },
  {
    name: 'studio',
    summary: 'Serve the agent with Entity Studio, its web dashboard, at /studio',
    usage: 'entity studio [config]',
    description:
      'Like `entity serve` with --studio: starts the HTTP adapter (@entity/plugin-http) and serves Entity Studio (@entity/plugin-studio) at /studio — chat playground, run timelines, live logs, metrics, and the agent\'s graph and masked config — then prints its URL. Binds 127.0.0.1 unless --host says otherwise. The page asks for an API key of the server (viewer keys read only); with --no-auth (loopback only) it needs none.',
    options: {
      port: { type: 'string', short: 'p', valueName: 'number', description: 'port to listen on (default: server.port, else PORT, else 3000)' },
      host: { type: 'string', valueName: 'address', description: 'address to bind (default: server.host, else 127.0.0.1)' },
      'no-auth': { type: 'boolean', description: 'serve without credentials (development; direct loopback clients only)' },
      websocket: { type: 'boolean', description: 'also serve the WebSocket endpoint /v1/ws' },
      watch: { type: 'boolean', short: 'w', description: 'hot-reload parameters when the config changes' },
    },
    positionals: [0, 1],
    examples: ['entity studio', 'entity studio agent.yaml --no-auth', 'entity studio agent.yaml --port 4000'],
    load: () => import('./commands/studio.js'),
  },
  {
    name: 'mcp',
    summary: 'Serve the agent over MCP on stdio (for desktop MCP hosts)',
    usage: 'entity mcp [config]',
    description:
      'Serves the agent as a Model Context Protocol server on stdin/stdout through @entity/plugin-mcp: its tools, and a `chat` tool that runs a whole turn. Point an MCP host at it (command: entity, args: [mcp, /path/to/agent.yaml]). Stdout carries protocol messages only: everything else goes to stderr, and the logging resource\'s console output is turned off. Ends when the host closes stdin.',
    options: {
      user: { type: 'string', short: 'u', valueName: 'id', description: 'user id the calls run as (default: mcp)' },
      conversation: { type: 'string', short: 'c', valueName: 'id', description: 'conversation of chat calls that name none (default: mcp)' },
      'no-chat': { type: 'boolean', description: 'offer only the agent\'s tools, no chat tool' },
    },
    positionals: [0, 1],
    examples: ['entity mcp agent.yaml', 'entity mcp ./my-agent --user ada'],
    load: () => import('./commands/mcp.js'),
  },
  {
    name: 'keys create',
    summary: 'Create an API key for `entity serve` (printed once; only its hash is stored)',
    usage: 'entity keys create --role <role> --user <id>',
    description:
      'Stores the SHA-256 hash of a new key in .entity/api-keys.json (mode 0600; read by `entity serve` and by server.auth.keysFile) and prints the key once on stdout.',
    options: {
      role: { type: 'string', short: 'r', valueName: 'role', description: 'admin | user | viewer (default: user). viewer reads only; admin may act for any user' },
      user: { type: 'string', short: 'u', valueName: 'id', multiple: true, description: "a user id the key may act for (repeatable; '*' for any). Required for user and viewer keys" },
      name: { type: 'string', valueName: 'name', description: 'a label shown in `entity keys list` and the logs' },
      file: { type: 'string', valueName: 'path', description: 'key file (default: ./.entity/api-keys.json)' },
    },
    positionals: [0, 0],
    json: true,
    examples: ['entity keys create --role user --user alice', "entity keys create --role viewer --user '*' --name dashboard"],
    load: () => import('./commands/keys-create.js'),
  },
  {
    name: 'keys list',
    summary: 'List API keys: ids, roles, users, creation dates (never the keys)',
    usage: 'entity keys list',
    options: { file: { type: 'string', valueName: 'path', description: 'key file (default: ./.entity/api-keys.json)' } },
    positionals: [0, 0],
    json: true,
    load: () => import('./commands/keys-list.js'),
  },
  {
    name: 'keys revoke',
    summary: 'Revoke an API key by id; a running server refuses it within a second',
    usage: 'entity keys revoke <id>',
    options: { file: { type: 'string', valueName: 'path', description: 'key file (default: ./.entity/api-keys.json)' } },
    positionals: [1, 1],
    json: true,
    examples: ['entity keys revoke key_1a2b3c4d5e6f'],
    load: () => import('./commands/keys-revoke.js'),
  },
  {
    name: 'validate',
    summary: 'Check a config: structure, dependency graph and (with --runtime) connectivity',
    usage: 'entity validate [config]',
    description: 'Lists every problem with its path and a fix. Exit code 0 when valid, 1 when problems were found, 2 when no config could be read.',
    options: { runtime: { type: 'boolean', short: 'r', description: 'also start the resources and run their health checks' } },
    positionals: [0, 1],
    json: true,
    examples: ['entity validate', 'entity validate agent.yaml --runtime --json'],
    load: () => import('./commands/validate.js'),
  },
  {
    name: 'graph',
    summary: 'Draw the workflow: stages, plugins in order, resources and their dependencies',
    usage: 'entity graph [config]',
    options: { format: { type: 'string', short: 'f', valueName: 'format', description: 'mermaid | dot (default: mermaid)' } },
    positionals: [0, 1],
    json: true,
    examples: ['entity graph > workflow.mmd', 'entity graph --format dot | dot -Tsvg > workflow.svg'],
    load: () => import('./commands/graph.js'),
  },
  {
    name: 'schema',
    summary: 'Print the JSON Schema of agent.yaml (for editor completion and checking)',
    usage: 'entity schema',
    description: `A copy ships in @entity/cli: put "# yaml-language-server: $schema=node_modules/@entity/cli/schema/agent.schema.json" on the first line of agent.yaml.`,
    options: {},
    positionals: [0, 0],
    examples: ['entity schema > agent.schema.json'],
    load: () => import('./commands/schema.js'),
  },
  {
    name: 'plugin new',
    summary: 'Generate a plugin and its test',
    usage: 'entity plugin new <name> --kind <kind>',
    options: {
      kind: { type: 'string', short: 'k', valueName: 'kind', description: 'tool | prompt | input | output | failure (default: prompt)' },
      dir: { type: 'string', valueName: 'path', description: 'where to write it (default: ./plugins)' },
      force: { type: 'boolean', description: 'overwrite existing files' },
    },
    positionals: [1, 1],
    examples: ['entity plugin new weather --kind tool', 'entity plugin new greeter --kind prompt'],
    load: () => import('./commands/plugin-new.js'),
  },
  {
    name: 'plugin analyze',
    summary: "Report each exported plugin's kind, stages (and why) and dependencies",
    usage: 'entity plugin analyze <file>',
    options: {},
    positionals: [1, 1],
    json: true,
    examples: ['entity plugin analyze plugins/weather.ts'],
    load: () => import('./commands/plugin-analyze.js'),
  },
  {
    name: 'doctor',
    summary: 'Check Node, the configured model (or Ollama and API keys), the database and storage',
    usage: 'entity doctor',
    description: 'Prints what to do for each failed check. Exit code 1 when a required check fails.',
    options: {
      'ollama-host': { type: 'string', valueName: 'url', description: 'Ollama to check (default: OLLAMA_HOST or http://localhost:11434)' },
      'database-url': { type: 'string', valueName: 'url', description: 'PostgreSQL to check (default: DATABASE_URL; skipped when unset)' },
      'storage-dir': { type: 'string', valueName: 'path', description: 'storage directory to check (default: ./agent_files)' },
      'memory-dir': { type: 'string', valueName: 'path', description: 'embedded memory directory to check (default: ./.entity)' },
    },
    positionals: [0, 0],
    json: true,
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'logs',
    summary: 'Print or follow the log stream of a running or past agent',
    usage: 'entity logs [config]',
    description:
      "Reads the file output of the config's logging resource (file: true writes .entity/logs/entity.jsonl), its path resolved from the config's folder like `entity run` does; [config] is an agent.yaml or its folder (default: the current folder).",
    options: {
      file: { type: 'string', valueName: 'path', description: 'log file base path, from the current folder (default: the config\'s, or ./.entity/logs/entity.jsonl beside it)' },
      follow: { type: 'boolean', short: 'f', description: 'keep printing new entries' },
      lines: { type: 'string', short: 'n', valueName: 'count', description: 'how many recent entries (default: 50)' },
      level: { type: 'string', short: 'l', valueName: 'level', description: 'lowest level to show: debug | info | warn | error' },
    },
    positionals: [0, 1],
    json: true,
    load: () => import('./commands/logs.js'),
  },
  {
    name: 'metrics',
    summary: 'Print the metrics summary of a running or past agent',
    usage: 'entity metrics [config]',
    description:
      "Reads the events the `metrics` resource stored in the memory's database (embedded PGlite under .entity beside the config, or Postgres); [config] is an agent.yaml or its folder (default: the current folder), its relative paths resolved from its folder like `entity run` does. With the embedded database, stop the agent first: PGlite allows one process at a time.",
    options: {
      hours: { type: 'string', valueName: 'hours', description: 'window to summarise (default: 24)' },
      user: { type: 'string', short: 'u', valueName: 'id', description: "only this user's runs" },
    },
    positionals: [0, 1],
    json: true,
    load: () => import('./commands/metrics.js'),
  },
  {
    name: 'ingest',
    summary: 'Add a folder of documents to the knowledge base',
    usage: 'entity ingest <dir>',
    description:
      "Reads the folder's Markdown, text, HTML and PDF files (symbolic links leading outside it are refused), cuts them into chunks under their headings and stores them with embeddings in the memory's database, using the agent config's memory, llm and knowledge plugin settings. Incremental: unchanged files are skipped, changed ones re-chunked, deleted ones removed. Needs @entity/plugin-knowledge. A progress bar is shown on a terminal; exits 1 when a file could not be read.",
    options: {
      config: { type: 'string', valueName: 'path', description: 'agent config whose memory holds the documents (default: ./agent.yaml, else the embedded memory under ./.entity)' },
      collection: { type: 'string', valueName: 'name', description: 'collection to write (default: the first of the knowledge plugin\'s collections, else "docs")' },
      user: { type: 'string', short: 'u', valueName: 'id', description: 'make the collection private to this user (default: shared with every user)' },
    },
    positionals: [1, 1],
    json: true,
    examples: ['entity ingest ./docs', 'entity ingest ./handbook --collection hr', 'entity ingest ./notes --user alice --collection notes'],
    load: () => import('./commands/ingest.js'),
  },
];

/** Flags every command accepts. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', description: 'show help' },
  json: { type: 'boolean', description: 'machine-readable output (commands marked [json])' },
  color: { type: 'boolean', description: 'force colours (also FORCE_COLOR=1)' },
  'no-color': { type: 'boolean', description: 'no colours (also NO_COLOR=1; off in pipes anyway)' },
  verbose: { type: 'boolean', description: 'show stack traces and debug details' },
};
