import { watch, watchFile, unwatchFile, type FSWatcher, type StatsListener } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface FileWatch {
  /** Start the directory watcher if it could not start before (the directory now exists). */
  refresh(): void;
  close(): void;
}

/**
 * Call `onSettled` once a burst of changes to `path` is over. fs.watch on the directory sees an
 * editor's save-by-rename (a watch on the file itself would stay on the old inode); the stat
 * poll covers filesystems where fs.watch is silent (network mounts, some containers).
 */
export function watchConfigFile(path: string, opts: { pollMs: number; debounceMs: number }, onSettled: () => void): FileWatch {
  const name = basename(path);
  let timer: NodeJS.Timeout | undefined;
  let dirWatcher: FSWatcher | undefined;
  let closed = false;
  const poke = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) onSettled();
    }, opts.debounceMs);
  };
  const startDirWatcher = () => {
    if (dirWatcher || closed) return;
    try {
      dirWatcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file === null || file.toString() === name) poke();
      });
      dirWatcher.on('error', () => {
        dirWatcher?.close();
        dirWatcher = undefined; // the directory went away; the poll still notices it coming back
      });
    } catch {
      dirWatcher = undefined; // no directory yet: the poll covers it until refresh()
    }
  };
  const onStat: StatsListener = (now, before) => {
    if (now.mtimeMs !== before.mtimeMs || now.ino !== before.ino || now.size !== before.size) poke();
  };
  watchFile(path, { interval: opts.pollMs, persistent: false }, onStat);
  startDirWatcher();
  return {
    refresh: startDirWatcher,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      dirWatcher?.close();
      dirWatcher = undefined;
      unwatchFile(path, onStat);
    },
  };
}
