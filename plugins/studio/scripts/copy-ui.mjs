// Copies the Studio's page (plain ES modules, CSS and HTML: no bundler, no framework) into
// dist/ui, which the package ships and the asset handler serves.
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'ui');
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
cpSync(join(root, 'ui'), target, { recursive: true });
