// `pnpm release:pack`: builds, then writes every public package's tarball to dist-packages/
// (git-ignored), the folder `entity init --packages dist-packages` installs from.
// Usage: pnpm release:pack [folder]
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPublicPackages } from './public-packages.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const destination = resolve(process.cwd(), process.argv[2] ?? resolve(root, 'dist-packages'));
const packed = packPublicPackages(root, destination);
for (const entry of packed) console.log(`${entry.name.padEnd(28)} ${relative(process.cwd(), entry.tarball)}`);
console.log(`\n${packed.length} packages in ${destination}`);
console.log(`Try them: node packages/cli/dist/bin.js init my-agent --packages ${destination}`);
