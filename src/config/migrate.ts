import { CommandSyntaxError, ConfigError } from '../errors/index.js';
import { basename } from 'node:path';
import { z } from 'zod';
import type { Document } from 'yaml';
import { quoteWord, splitCommand } from './command.js';
import { data, foldedPrompt, record, setUnder } from './yaml-doc.js';
import { legacyPlan } from './legacy.js';
import { LegacyAgent, Name } from './schema.js';

/** What today's codex accepts in place of the removed `--full-auto` (codex 0.169 answers that flag with "unexpected argument"). */
export const CODEX_COMMAND = 'codex exec --json -s workspace-write -C $(pwd) --skip-git-repo-check';

/** Flags the current form sets itself; the user's own value for them is replaced. */
const CODEX_FLAGS = new Set(['--full-auto', '--json', '--skip-git-repo-check']);
const CODEX_FLAGS_WITH_VALUE = new Set(['-C', '--cd', '-s', '--sandbox']);

/**
 * The current-codex form of a `codex exec … --full-auto` command, keeping the user's program
 * path and any other arguments (`-m o3`); undefined when the command needs no rewrite.
 */
export function modernCodexCommand(command: string): string | undefined {
  let words: string[];
  try {
    words = splitCommand(command);
  } catch (error) {
    if (error instanceof CommandSyntaxError) return undefined;
    throw error;
  }
  const [program, sub, ...rest] = words;
  if (!program || basename(program) !== 'codex' || sub !== 'exec' || !rest.includes('--full-auto')) return undefined;
  const kept: string[] = [];
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i] ?? '';
    if (CODEX_FLAGS_WITH_VALUE.has(word)) i += 1;
    else if (!CODEX_FLAGS.has(word) && !/^--(cd|sandbox)=/.test(word)) kept.push(word);
  }
  const base = program === 'codex' ? CODEX_COMMAND : CODEX_COMMAND.replace(/^codex/, quoteWord(program));
  return [base, ...kept.map((word) => quoteWord(word))].join(' ');
}

const Agents = z.record(Name, LegacyAgent);

/** Rewrite legacy `agents:` as backends/models/aliases and `--full-auto` codex commands; one line each. */
export function migrateDoc(doc: Document): string[] {
  return [...migrateAgents(doc), ...migrateCodex(doc)];
}

function migrateAgents(doc: Document): string[] {
  const config = data(doc);
  if (config.agents === undefined) return [];
  const agents = Agents.safeParse(config.agents ?? {});
  if (!agents.success) throw new ConfigError('agents: fix the old-format entries before migrating them', 'agents');
  const plan = legacyPlan(agents.data, {
    backends: record(config.backends),
    models: record(config.models),
    aliases: record(config.aliases),
  });
  for (const [name, backend] of Object.entries(plan.backends)) setUnder(doc, 'backends', [name], doc.createNode(backend));
  for (const [name, model] of Object.entries(plan.models)) setUnder(doc, 'models', [name], doc.createNode(model));
  for (const [name, alias] of Object.entries(plan.aliases)) {
    setUnder(doc, 'aliases', [name], doc.createNode({ model: alias.model }));
    if (alias.prompt !== undefined) doc.setIn(['aliases', name, 'prompt'], foldedPrompt(alias.prompt));
  }
  doc.delete('agents');
  const names = Object.keys(agents.data);
  return names.length === 0 ? ['Removed the empty agents: section.'] : names.map((name) => agentLine(name, plan));
}

function agentLine(name: string, plan: ReturnType<typeof legacyPlan>): string {
  const made = [
    ...(name in plan.backends ? [`backends.${name}`] : []),
    ...Object.entries(plan.models).filter(([, m]) => m.backend === name).map(([id]) => `models.${id}`),
    ...(name in plan.aliases ? [`aliases.${name} (→ ${plan.aliases[name]?.model}${plan.aliases[name]?.prompt ? ', with its prompt' : ''})`] : []),
  ];
  return made.length > 0
    ? `Moved agents.${name} to ${made.join(' + ')}.`
    : `Removed agents.${name}: the config already defines ${name} elsewhere.`;
}

function migrateCodex(doc: Document): string[] {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(record(data(doc).backends))) {
    const command = record(value).command;
    const modern = typeof command === 'string' ? modernCodexCommand(command) : undefined;
    if (modern === undefined || typeof command !== 'string') continue;
    doc.setIn(['backends', name, 'command'], modern);
    lines.push(`Rewrote backends.${name}.command for today's codex (--full-auto is gone): "${command}" → "${modern}".`);
  }
  return lines;
}
