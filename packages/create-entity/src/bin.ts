#!/usr/bin/env node
// `npm create entity [dir] [options]` (and `pnpm create entity`, `yarn create entity`) run this
// bin: it is `entity init` under the name the package managers' `create` command looks for,
// so the options and questions are the same, and one implementation stays the only one.
import { runCli } from '@entity/cli';

const code = await runCli(['init', ...process.argv.slice(2)]);
process.exitCode = code;
if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => process.exit(code));
else process.exit(code);
