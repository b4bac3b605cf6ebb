// The floor of the many-workers benchmark: a supervisor that does the least a bot must do for N
// workers — spawn the same fake worker CLI for each task, watch its plan.md, and read it when it
// changes — and nothing else (no chat, no store, no queue). Plain JavaScript, like the compiled bot.
//
//   node bench/floor-supervisor.mjs <repo> <workers> <items> <spacing-ms>
// Prints one JSON line per worker spawn ({ tag, requested }) and ends when every worker has.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';

const [repo = '.', workers = '10', items = '60', spacingMs = '0'] = process.argv.slice(2);
const n = Number(workers);
let running = 0;
const progress = new Map();

function track(dir, id) {
  const plan = join(dir, 'plan.md');
  const watcher = watch(dir, () => {
    try {
      progress.set(id, (readFileSync(plan, 'utf8').match(/- \[x\]/g) ?? []).length);
    } catch {
      // Not written yet, or being replaced: the next event reads it.
    }
  });
  return watcher;
}

function start(i) {
  const id = `floor-${i}`;
  const dir = join(repo, '.dispatch', 'tasks', id);
  mkdirSync(join(dir, 'ipc'), { recursive: true });
  const watcher = track(dir, id);
  const prompt = `Plan file: ${join(dir, 'plan.md')}\nWork through the plan. fake:items=${items} fake:slow=1000 fake:tag=${i}`;
  const requested = Date.now();
  const child = spawn('claude', ['-p', prompt], { cwd: repo, stdio: 'ignore' });
  running += 1;
  process.stdout.write(`${JSON.stringify({ tag: i, requested })}\n`);
  child.once('exit', () => {
    watcher.close();
    running -= 1;
    if (running === 0 && started === n) process.exit(0);
  });
}

let started = 0;
for (let i = 0; i < n; i++) {
  start(i);
  started += 1;
  if (Number(spacingMs) > 0) await new Promise((resolve) => setTimeout(resolve, Number(spacingMs)));
}
