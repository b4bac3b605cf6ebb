#!/usr/bin/env node
// The import structure ARCHITECTURE.md asks for, checked on every `npm test`:
// - no import cycle between files, and none between folders (a folder cycle means two rooms
//   each need the other: one of them holds something that belongs elsewhere);
// - the core (src/) never imports a chat adapter (adapters/) nor a platform SDK, except the
//   top-level wiring files that start the surfaces.
import { readFileSync } from 'node:fs';
import madge from 'madge';

const WIRING = new Set(['src/start.ts', 'src/run-shell.ts', 'src/cli.ts']);
const PLATFORM_SDK = /from ['"](@slack\/|discord\.js|@discordjs\/)/;

const graph = (await madge(['src', 'adapters'], { fileExtensions: ['ts'], tsConfig: 'tsconfig.json' })).obj();
const problems = [];

/** `src/runner/host.ts` → `src/runner`; a top-level file (`src/app.ts`) is a room of its own. */
const roomOf = (file) => {
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
};

const rooms = new Map();
for (const [file, deps] of Object.entries(graph)) {
  const from = roomOf(file);
  if (!rooms.has(from)) rooms.set(from, new Set());
  for (const dep of deps) {
    const to = roomOf(dep);
    if (to !== from) rooms.get(from).add(to);
    if (file.startsWith('src/') && dep.startsWith('adapters/') && !WIRING.has(file)) problems.push(`${file} imports the adapter ${dep}`);
  }
  if (file.startsWith('src/') && !WIRING.has(file) && PLATFORM_SDK.test(readFileSync(file, 'utf8'))) problems.push(`${file} imports a platform SDK`);
}

for (const cycle of cyclesOf(graph)) problems.push(`file import cycle: ${cycle.join(' → ')}`);
for (const cycle of cyclesOf(Object.fromEntries([...rooms].map(([k, v]) => [k, [...v]])))) problems.push(`folder import cycle: ${cycle.join(' → ')}`);

if (problems.length > 0) {
  console.error(`Import structure: ${problems.length} problem(s)\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`Import structure: ${Object.keys(graph).length} files in ${rooms.size} rooms, no cycles, the core imports no adapter or platform SDK.`);

/** One cycle per strongly connected group of more than one node (Tarjan), each as a path. */
function cyclesOf(edges) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const groups = [];
  let next = 0;
  const visit = (v) => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of edges[v] ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of Object.keys(edges)) if (!index.has(v)) visit(v);
  return groups.map((group) => [...group, group[0]]);
}
