import type { ConfigError } from '../errors/index.js';
import type { Config } from './schema.js';

/** One change to the config file, as the dispatcher says it ("Added gpt-5.3 (codex backend)"). */
export type ConfigChange =
  | { op: 'set-default'; model: string }
  | { op: 'add-model'; model: string; backend: string }
  | { op: 'remove-model'; model: string }
  | { op: 'set-alias'; alias: string; model: string; prompt?: string }
  | { op: 'remove-alias'; alias: string }
  | { op: 'set-backend'; backend: string; command: string }
  /** Rewrite the legacy `agents:` format as aliases (+ backends), and `--full-auto` codex commands. */
  | { op: 'migrate' }
  /** Add principals (ids, `role:<id>`, `channel:<id>`, `*`) to `access.dispatch` or `access.admin`. */
  | { op: 'grant'; list: AccessKey; principals: string[] }
  | { op: 'revoke'; lists: AccessKey[]; principals: string[] }
  /** First run: `admin` becomes the only admin and dispatcher, with comments saying how to open up. */
  | { op: 'init-access'; admin: string };

export type AccessKey = 'dispatch' | 'admin';

/**
 * The config file as the bot sees it: the last good version in memory, writes that are atomic
 * and keep comments, and edits on disk picked up without a restart (a broken edit is reported
 * through `lastError` and `onChange`, and never replaces the last good config).
 */
export interface ConfigSource {
  readonly path: string;
  /** False before first-run setup has written a file. */
  exists(): boolean;
  /**
   * True once a valid config file has been read or written since start. Until then nothing may
   * be dispatched or changed (a broken file at start-up must not fall back to an open default).
   */
  ready(): boolean;
  /** The last good config (built-in defaults when no file exists yet). */
  current(): Config;
  /** Why the file on disk is not in force, when it is not. */
  lastError(): ConfigError | undefined;
  /** Re-read the file now; throws ConfigError and keeps the last good one on a bad file. */
  reload(): Promise<Config>;
  /** Apply changes, validate, write atomically (comments kept); returns one line per change made. */
  apply(changes: ConfigChange[]): Promise<string[]>;
  /** Called after every reload attempt (the error set when the new file was refused). */
  onChange(listener: (config: Config, error?: ConfigError) => void): () => void;
  close(): void;
}
