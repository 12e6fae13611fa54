// Crash-safe file replacement: a reader sees the old content or the new, never half.
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

let tempCounter = 0;

/**
 * Writes `data` to a temp file beside `filePath`, fsyncs it, renames it over
 * `filePath`, then fsyncs the folder so the rename itself survives a power cut.
 */
export async function writeFileAtomic(filePath: string, data: string): Promise<void> {
  const dir = path.dirname(filePath);
  // Same folder as the target: rename is only atomic within one filesystem.
  const tempPath = path.join(dir, `.${path.basename(filePath)}.${process.pid}.${tempCounter++}.tmp`);
  const handle = await open(tempPath, 'w', 0o600);
  try {
    await handle.writeFile(data, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await handle.close();
  try {
    await rename(tempPath, filePath);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  await syncFolder(dir);
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems (and Windows) refuse fsync on a folder; the rename is still done.
  } finally {
    await handle.close();
  }
}
