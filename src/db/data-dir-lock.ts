// The embedded database (PGlite) belongs to one process at a time: PGlite runs PostgreSQL inside the
// process that opened it, and a second process opening the same directory works on its own copy of
// the pages, so one of the two loses its writes without an error (a token created by the CLI while the
// server runs is gone). A lock file beside the directory makes the second process refuse to start.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Raised when another live process holds the embedded database's directory. */
export class DataDirInUse extends Error {
  override name = 'DataDirInUse';
}

/** The lock files this process holds. */
const held = new Set<string>();

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes `<dataDir>.lock` for this process (the file holds its pid) and returns the function that
 * releases it (also run when the process exits). A lock left by a process that no longer runs is
 * taken over, and so is one holding this process's own pid that this process did not take (left by
 * an earlier process with the same pid, as a container's pid 1 after a restart). Throws
 * `DataDirInUse`, naming the holder's pid, when a live process holds it (this one included: the same
 * directory opened twice).
 */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = `${path.resolve(dataDir)}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.add(lockPath);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(lockPath, 'utf8').trim());
      } catch {
        // removed meanwhile: try again
      }
      // Our own pid on a lock we do not hold is a previous process's (a container's pid 1 again).
      const ours = holder === process.pid && !held.has(lockPath);
      if (Number.isSafeInteger(holder) && holder > 0 && !ours && isAlive(holder)) {
        throw new DataDirInUse(
          `the embedded database in ${dataDir} is in use by process ${holder} (a running server?): stop it first, ` +
            'or use DATABASE_URL with PostgreSQL, which any number of processes can share',
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    held.delete(lockPath);
    process.removeListener('exit', release);
    try {
      if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) rmSync(lockPath, { force: true });
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return release;
}
