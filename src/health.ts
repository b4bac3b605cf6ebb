import { readFile, rm, writeFile, rename, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { dispatchHome } from './config/paths.js';

/** How often a running bot says it is alive, and how old a beat may be before it is not. */
const BEAT_MS = 30_000;
const STALE_MS = 3 * BEAT_MS;

const Beat = z.object({ pid: z.number().int().positive(), at: z.number(), surfaces: z.array(z.string()) });

function beatFile(env: NodeJS.ProcessEnv): string {
  return join(dispatchHome(env), 'health.json');
}

/**
 * `dispatch-bot start` writes DISPATCH_HOME/health.json every 30 s while its chat surfaces run
 * (a container's HEALTHCHECK reads it through `dispatch-bot health`). Returns the stop.
 */
export async function startBeating(env: NodeJS.ProcessEnv, surfaces: string[], log: (line: string) => void): Promise<() => Promise<void>> {
  const file = beatFile(env);
  const write = async (): Promise<void> => {
    const temp = `${file}.${process.pid}.tmp`;
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(temp, `${JSON.stringify({ pid: process.pid, at: Date.now(), surfaces })}\n`);
    await rename(temp, file);
  };
  const beat = (): Promise<void> => write().catch((error: unknown) => log(`health: could not write ${file}: ${String(error)}`));
  await beat();
  const timer = setInterval(() => void beat(), BEAT_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await rm(file, { force: true });
  };
}

/** `dispatch-bot health`: 0 when a bot on this DISPATCH_HOME beat in the last 90 s and still runs. */
export async function healthCommand(env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<number> {
  const file = beatFile(env);
  let beat: z.infer<typeof Beat>;
  try {
    beat = Beat.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    say(`not healthy: no bot is running on ${dispatchHome(env)} (no readable ${file})`);
    return 1;
  }
  const age = Math.round((Date.now() - beat.at) / 1000);
  if (!alive(beat.pid)) {
    say(`not healthy: the bot (pid ${beat.pid}) is gone`);
    return 1;
  }
  if (Date.now() - beat.at > STALE_MS) {
    say(`not healthy: the bot (pid ${beat.pid}) last beat ${age}s ago`);
    return 1;
  }
  say(`healthy: ${beat.surfaces.join(' and ')} (pid ${beat.pid}), last beat ${age}s ago`);
  return 0;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
