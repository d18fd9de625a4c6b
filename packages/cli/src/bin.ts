#!/usr/bin/env node
import { runCli } from './main.js';

const code = await runCli(process.argv.slice(2));
// Let pending output flush; an explicit exit avoids waiting on idle handles some SDKs leave open.
process.exitCode = code;
if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => process.exit(code));
else process.exit(code);
