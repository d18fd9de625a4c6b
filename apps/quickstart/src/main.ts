// `pnpm demo` (or `node src/main.ts [question]`): ask one question, or chat when run in a terminal.
import { createAgent } from './agent.ts';

const agent = createAgent();
const question = process.argv.slice(2).join(' ').trim();

try {
  if (question === '' && process.stdin.isTTY) {
    await agent.serveCli();
  } else {
    const asked = question || 'What is 2+3? Use the add tool, then tell me the time.';
    console.log(`you › ${asked}`);
    let streamed = '';
    let started = false;
    const begin = () => {
      if (!started) process.stdout.write('quickstart › ');
      started = true;
    };
    for await (const event of agent.stream(asked, { userId: 'quickstart' })) {
      if (event.type === 'token') {
        begin();
        process.stdout.write(event.text);
        streamed += event.text;
      } else if (event.type === 'tool-call') {
        begin();
        process.stdout.write(`${streamed ? '\n' : ''}  → ${event.name}(${JSON.stringify(event.arguments)})\n`);
        streamed = '';
      } else if (event.type === 'done') {
        begin();
        if (streamed.trim() === '') process.stdout.write(event.result.text);
        process.stdout.write('\n');
        if (event.result.info.failure) process.exitCode = 1;
      }
    }
  }
} catch (error) {
  // The error says what to do (start Ollama and pull a model, or set an API key); a stack trace would bury it.
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await agent.stop();
}
