import { watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Agent } from '@entity/core';
import type { CliContext } from './cli-context.js';
import { formatIssues } from './format-error.js';

/**
 * Re-applies the config's parameters when the file changes (debounced: editors write in several
 * steps). Refused changes (topology) are reported and change nothing. Returns a stop function.
 */
export function watchConfig(agent: Agent, file: string, cli: CliContext, options: { debounceMs?: number; onReload?: (outcome: { changed?: string[]; error?: unknown }) => void } = {}): () => void {
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const c = cli.err;
  const reload = () => {
    running = running.then(async () => {
      try {
        const changed = await agent.reload();
        cli.note(changed.length > 0 ? `${c.green('↻')} reloaded: ${changed.join(', ')}` : c.dim('↻ config saved; nothing to reload'));
        options.onReload?.({ changed });
      } catch (error) {
        const issues = (error as { issues?: { path: string; message: string; fix: string }[] }).issues;
        cli.note(`${c.yellow('↻ reload refused:')} ${issues ? '' : (error as Error).message}`);
        if (issues) for (const line of formatIssues(issues, cli)) cli.note(line);
        options.onReload?.({ error });
      }
    });
  };
  // Watch the directory: editors often replace the file, which ends a watch on the file itself.
  const watcher = watch(dirname(file), (_event, name) => {
    if (name !== null && name !== basename(file)) return;
    clearTimeout(timer);
    timer = setTimeout(reload, options.debounceMs ?? 150);
  });
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
