import { commandForm } from './text.js';
import type { HelpTopic, Intent } from './types.js';

/**
 * Questions about the bot itself, answered in place and never dispatched: what can be said,
 * which models there are, what the config holds. Whole-text forms only, so a task that happens
 * to mention models ("list the models in the ORM") stays a task.
 */
const MAX_HELP_TEXT = 120;
const BOT = '(?:you|the bot|this bot|dispatch|dispatch-bot|this|it)';

const TOPICS: [RegExp, HelpTopic][] = [
  [/^(?:h|help|help me|commands|usage|examples|what now)$/, 'help'],
  [new RegExp(`^(?:what|which things) (?:can|do) (?:you|i) (?:do|say|ask)(?: (?:here|with ${BOT}))?$`), 'help'],
  [new RegExp(`^(?:how (?:do|can|should) i use ${BOT}|what (?:is|does) ${BOT}(?: do)?|what are you|who are you)$`), 'help'],
  [/^(?:(?:list|show|show me|see|get)(?: (?:the|my|our|all|all the|available))* )?(?:models?|aliases|models and aliases|model list)$/, 'models'],
  [/^(?:what|which) (?:models?|aliases)(?: (?:are there|are available|can i use|do (?:you|we|i) have|are configured|do you know|can you use))?$/, 'models'],
  [/^(?:available|configured) models$/, 'models'],
  [/^(?:(?:show|print|view|display|see|cat|read|get)(?: me)?(?: (?:my|the|our|current))? )?(?:dispatch )?(?:config|configuration|config file|settings)$/, 'config'],
  [/^what(?:'s| is) (?:in )?(?:my|the|our) (?:config|configuration|config file)$/, 'config'],
];

export function parseHelp(text: string): Intent | undefined {
  if (text.length > MAX_HELP_TEXT) return undefined;
  if (/^\?+$/.test(text.trim())) return { kind: 'help', topic: 'help' };
  const form = commandForm(text.replace(/[`*_]/g, ''));
  for (const [pattern, topic] of TOPICS) if (pattern.test(form)) return { kind: 'help', topic };
  return undefined;
}
