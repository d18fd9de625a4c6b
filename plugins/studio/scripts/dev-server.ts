// Serves the test agent with the built Studio for a look by hand: node scripts/dev-server.ts [port]
import { studioMounts } from '../dist/index.js';
import { KEYS, serveStudio, startStudioAgent } from '../test/studio-support.ts';

const test = await startStudioAgent((agent, config) => studioMounts(agent, { config }));
const handle = await serveStudio(test, Number(process.argv[2] ?? 4600));
console.log(`Studio on ${handle.url}/studio/  admin key: ${KEYS.admin}  viewer key: ${KEYS.viewer}`);
