#!/usr/bin/env node
// An agent loop in Node: ask a model (any OpenAI-compatible server), execute
// its answer while it streams, stop at the first failing unit and let the
// model repair it in the same session — or replay a recorded conversation.
//   OPENAI_API_KEY=… node examples/agent.mjs --base-url https://api.openai.com/v1 --model gpt-4o-mini "prompt"
//   node examples/agent.mjs --replay examples/recordings/js_reshape_typo.jsonl
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
let streamexec;
try { streamexec = require('streamexec'); } catch { streamexec = require('../bindings/node'); }
const { Session, STOP } = streamexec;

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'base-url': { type: 'string' }, model: { type: 'string' }, replay: { type: 'string' },
             repair: { type: 'string', default: '2' } },
});
if (!a.replay && !(positionals[0] && a['base-url'] && a.model)) {
  console.error('usage: agent.mjs PROMPT --base-url URL --model NAME | --replay FILE');
  process.exit(2);
}

const s = new Session({ languages: ['python', 'javascript', 'cpp'], timeout: 60 });
// Events are shown as they come, while the model streams.
const shower = (async () => {
  for await (const ev of s) {
    if (ev.kind === 'output') process.stdout.write(ev.text);
    else if (ev.kind === 'unit_done' && !['ok', 'skipped', 'cut', 'gated'].includes(ev.status))
      console.log(`[unit ${ev.unitId} failed: ${ev.errorType}: ${ev.errorMessage} (answer line ${ev.errorLine})]`);
    else if (ev.kind === 'model_stream_end')
      console.log(`[round ${ev.modelRound}: ${ev.modelReason} after ${ev.modelTokens} tokens]`);
  }
})();
let result, status = 0;
try {
  result = a.replay ? await s.replay(a.replay, 0)
                    : await s.chat(positionals[0], { baseUrl: a['base-url'], model: a.model, repair: Number(a.repair) });
  status = result === STOP ? 1 : 0;
} catch (e) {
  console.error(`model server: ${e.message}`);
  status = 3;
}
await s.finish();
await shower;
s.close();
process.exit(status);
