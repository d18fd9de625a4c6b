// Editor and CI cost of the public types: tsc on an agent with 50 typed tools and 50 typed plugins.
// Run: pnpm --filter @entity/core bench
import { typeCheckManyTools } from '../test/types/many-tools-project.ts';

const runs = [1, 2, 3].map(() => typeCheckManyTools(50));
const failed = runs.find((run) => run.status !== 0);
if (failed) {
  console.error(failed.output);
  process.exit(1);
}
const diagnostics = (output: string, label: string) => output.match(new RegExp(`^${label}:\\s+(.+)$`, 'm'))?.[1]?.trim() ?? '?';
const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
console.log('\n@entity/core — tsc on an agent with 50 typed tools + 50 typed plugins (best of 3)\n');
console.table({
  tsc: {
    'wall time': `${best.seconds.toFixed(2)} s`,
    'check time': diagnostics(best.output, 'Check time'),
    instantiations: diagnostics(best.output, 'Instantiations'),
    types: diagnostics(best.output, 'Types'),
    'memory used': diagnostics(best.output, 'Memory used'),
  },
});
