type Operation = {
  summary?: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, unknown>;
};

/** Who may call an operation, as its summary says (`(role: user)`), or `none` for an operation without security. */
function roleOf(path: string, operation: Operation): { role: string; what: string } {
  const summary = (operation.summary ?? '').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const match = /\s*\(role: ([a-z]+)(?:; ([^)]*))?\)/.exec(summary);
  if (match) return { role: match[1]!, what: `${summary.replace(match[0], '')}${match[2] ? ` (${match[2]})` : ''}` };
  if (path.includes('{ticket}')) return { role: 'the ticket', what: summary };
  // `security: []`, or a list with the empty requirement `{}`, means no credential is needed.
  const open = operation.security !== undefined && (operation.security.length === 0 || operation.security.some((requirement) => Object.keys(requirement as object).length === 0));
  return { role: open ? 'none' : '—', what: summary };
}

/** The markdown endpoint table of docs/http-api.md, generated from the OpenAPI document so the two never drift. */
export function endpointTable(document: { paths: Record<string, Record<string, Operation>> }): string {
  const rows = ['| method and path | role | query and headers | statuses | what |', '|---|---|---|---|---|'];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const { role, what } = roleOf(path, operation);
      const parameters = (operation.parameters ?? [])
        .filter((parameter) => parameter.in !== 'path')
        .map((parameter) => (parameter.in === 'query' ? `\`?${parameter.name}\`` : `\`${parameter.name}\``))
        .join(', ');
      rows.push(`| \`${method.toUpperCase()} ${path}\` | ${role} | ${parameters || '—'} | ${Object.keys(operation.responses).join(', ')} | ${what} |`);
    }
  }
  return rows.join('\n');
}
