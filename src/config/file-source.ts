import { ConfigError } from '../errors/index.js';
import { readFile } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { writeFileAtomic } from './atomic.js';
import { applyChange } from './edit.js';
import { data } from './yaml-doc.js';
import { migrateDoc } from './migrate.js';
import { type ConfigChange, type ConfigSource } from './port.js';
import type { Config } from './schema.js';
import { parseConfigText, validateConfigText } from './validate.js';
import { watchConfigFile, type FileWatch } from './watch.js';
import { renderKeepingLayout } from './yaml-splice.js';

export interface OpenConfigOptions {
  path: string;
  /** Pick up edits made on disk (default true). */
  watch?: boolean;
  /** Stat-poll interval for filesystems where fs.watch is silent (default 1000 ms). */
  pollMs?: number;
  /** Quiet time after the last change before the file is re-read (default 50 ms). */
  debounceMs?: number;
}

type Listener = (config: Config, error?: ConfigError) => void;

const HEADER = ' dispatch-bot config (the Dispatch format). Edit freely: comments and layout are kept.';

/** The config file on disk: last good config in memory, atomic comment-keeping writes, live reload. */
export class FileConfigSource implements ConfigSource {
  #config: Config = parseConfigText('');
  #error: ConfigError | undefined;
  #exists = false;
  /** A valid file has been read or written since start: until then nothing may be dispatched or changed. */
  #ready = false;
  /** The text last read or written (good or bad): a watch event showing the same text is not news. */
  #seen: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #watch: FileWatch | undefined;
  readonly #listeners = new Set<Listener>();

  constructor(readonly path: string) {}

  /** First read: a missing or broken file still opens, so the bot can start and say what is wrong. */
  async load(): Promise<void> {
    await this.#serial(() => this.#reload(false)).catch((error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
    });
  }

  startWatching(pollMs: number, debounceMs: number): void {
    this.#watch ??= watchConfigFile(this.path, { pollMs, debounceMs }, () => void this.checkDisk());
  }

  /**
   * What the watcher runs: re-read the file when its text differs from what was last read or
   * written (so our own writes are not news). True when a new text was read, good or bad; a bad
   * one has been reported to listeners and lastError() already.
   */
  async checkDisk(): Promise<boolean> {
    const before = this.#seen;
    const exists = this.#exists;
    await this.#serial(() => this.#reload(true)).catch((error: unknown) => {
      if (!(error instanceof ConfigError)) throw error;
    });
    return this.#seen !== before || this.#exists !== exists;
  }

  exists(): boolean {
    return this.#exists;
  }

  ready(): boolean {
    return this.#ready;
  }

  current(): Config {
    return this.#config;
  }

  lastError(): ConfigError | undefined {
    return this.#error;
  }

  reload(): Promise<Config> {
    return this.#serial(() => this.#reload(false));
  }

  apply(changes: ConfigChange[]): Promise<string[]> {
    return this.#serial(() => this.#apply(changes));
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#watch?.close();
    this.#watch = undefined;
    this.#listeners.clear();
  }

  /** Reloads and writes run one at a time, so a write never races a reload of the same file. */
  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #reload(onlyIfChanged: boolean): Promise<Config> {
    let text: string | undefined;
    try {
      text = await this.#read();
    } catch (error) {
      if (error instanceof ConfigError) this.#refuse(error);
      throw error;
    }
    if (onlyIfChanged && text === this.#seen) return this.#config;
    this.#seen = text;
    this.#exists = text !== undefined;
    if (text === undefined) {
      // Deleted (or not created yet): keep the last good config so running work is not disturbed.
      this.#error = undefined;
      this.#emit();
      return this.#config;
    }
    const { config, errors } = validateConfigText(text, this.path);
    if (!config) this.#refuse(combine(errors, this.path, 'is not in force'));
    this.#config = config;
    this.#ready = true;
    this.#error = undefined;
    this.#emit();
    return config;
  }

  /** The file's text, undefined when there is none; a file that cannot be read is a ConfigError. */
  async #read(): Promise<string | undefined> {
    try {
      return await readFile(this.path, 'utf8');
    } catch (error) {
      if (isErrno(error) && error.code === 'ENOENT') return undefined;
      const why = isErrno(error) ? (error.code ?? error.message) : String(error);
      throw new ConfigError(`${this.path} cannot be read (${why})`, undefined, this.path);
    }
  }

  async #apply(changes: ConfigChange[]): Promise<string[]> {
    const source = await this.#writable();
    const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
    const before = data(doc);
    const lines = changes.flatMap((change) => {
      if (change.op !== 'migrate') return [applyChange(doc, change)];
      const migrated = migrateDoc(doc);
      return migrated.length > 0 ? migrated : ['Nothing to migrate.'];
    });
    if (isDeepStrictEqual(before, data(doc))) return lines;
    if (source.trim() === '') doc.commentBefore = HEADER;
    const text = renderKeepingLayout(source, doc);
    const { config, errors } = validateConfigText(text, this.path);
    if (!config) throw combine(errors, this.path, 'would not be valid after that change, so nothing was changed');
    await writeFileAtomic(this.path, text).catch((error: unknown) => {
      const why = isErrno(error) ? (error.code ?? error.message) : String(error);
      throw new ConfigError(`${this.path} could not be written (${why}); nothing was changed`, undefined, this.path);
    });
    this.#seen = text;
    this.#exists = true;
    this.#ready = true;
    this.#config = config;
    this.#error = undefined;
    this.#watch?.refresh();
    this.#emit();
    return lines;
  }

  /**
   * The text a change may be made to. A file the bot cannot use is its owner's to fix: an edit
   * would have to replace what it does not understand (a top-level list, `models:` as a list), so
   * nothing is written. A file deleted while the bot runs is not recreated from nothing either:
   * that would drop whatever the owner had there, `access:` included.
   */
  async #writable(): Promise<string> {
    const source = await this.#read();
    if (source === undefined) {
      if (!this.#ready) return '';
      throw new ConfigError(
        `${this.path} is gone, so nothing was written (the bot keeps using the config it last read). Put the file back, or restart the bot to set it up afresh.`,
        undefined,
        this.path,
      );
    }
    const { errors } = validateConfigText(source, this.path);
    const first = errors[0];
    if (first) {
      const list = errors.map((e) => `- ${e.message}`).join('\n');
      throw new ConfigError(`${this.path} has problems, so the bot will not write over it; fix them first:\n${list}`, first.key, this.path);
    }
    return source;
  }

  /** A file that cannot be used: say so, keep the last good config. */
  #refuse(error: ConfigError): never {
    this.#error = error;
    this.#emit();
    throw error;
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) listener(this.#config, this.#error);
  }
}

/** One ConfigError for several problems: the first one's key, every problem in the message. */
function combine(errors: ConfigError[], file: string, what: string): ConfigError {
  const first = errors[0];
  if (errors.length === 1 && first) return new ConfigError(first.message, first.key, file);
  const list = errors.map((e) => `- ${e.message}`).join('\n');
  return new ConfigError(`${file} ${what}:\n${list}`, first?.key, file);
}

function isErrno(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && 'code' in error;
}

/** Open the config file (missing or broken is fine: see lastError()) and, by default, watch it. */
export async function openConfig(opts: OpenConfigOptions): Promise<FileConfigSource> {
  const source = new FileConfigSource(opts.path);
  await source.load();
  if (opts.watch ?? true) source.startWatching(opts.pollMs ?? 1000, opts.debounceMs ?? 50);
  return source;
}
