// Lets child processes run the package's TypeScript sources directly (Node 24 strips types):
// sources import "./x.js" as NodeNext requires, so a "./x.js" that only exists as "./x.ts" is
// resolved to the .ts file.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if ((specifier.startsWith('./') || specifier.startsWith('../')) && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
      const url = new URL(specifier, context.parentURL);
      const path = fileURLToPath(url);
      if (!existsSync(path) && existsSync(path.replace(/\.js$/, '.ts'))) {
        return nextResolve(specifier.replace(/\.js$/, '.ts'), context);
      }
    }
    return nextResolve(specifier, context);
  },
});
