import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

type Env = Record<string, string | undefined>;

/** Where the bot keeps its state: `DISPATCH_HOME`, else `~/.dispatch` (Dispatch's own home). */
export function dispatchHome(env: Env = process.env): string {
  const home = env.DISPATCH_HOME?.trim();
  return home ? resolve(home) : join(homedir(), '.dispatch');
}

/** The config file: `DISPATCH_CONFIG`, else `config.yaml` in the home, as Dispatch itself reads it. */
export function configPath(env: Env = process.env): string {
  const file = env.DISPATCH_CONFIG?.trim();
  return file ? resolve(file) : join(dispatchHome(env), 'config.yaml');
}
