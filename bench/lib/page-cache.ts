// Evicts one file from the OS page cache and reports how much of it is resident, so an
// open-time figure can say whether it read from memory or from disk. Needs no root:
// `dd iflag=nocache count=0` asks the kernel to drop the file's clean pages (posix_fadvise DONTNEED).
import { execFileSync } from 'node:child_process';

export function dropFromPageCache(file: string): void {
  execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0'], { stdio: 'ignore' });
}

/** Fraction (0..1) of the file in the page cache, or null when util-linux `fincore` is missing. */
export function residentFraction(file: string): number | null {
  try {
    const out = execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES,SIZE', file], { encoding: 'utf8' });
    const [resident, size] = out.trim().split(/\s+/).map(Number);
    return size > 0 ? resident / size : 0;
  } catch {
    return null;
  }
}
