// Random hex for ids (tasks, messages). One randomFillSync per 512 ids instead of one
// per id: the per-task syscall and Buffer showed in the lifecycle profile. Bytes are
// used once each, so the ids are as unpredictable as randomBytes(8) per id.
import { randomFillSync } from 'node:crypto';

const poolBytes = 4096;
const pool = Buffer.allocUnsafe(poolBytes);
let offset = poolBytes;

/** `bytes` fresh random bytes as lowercase hex (2 × bytes characters). */
export function randomHex(bytes: number): string {
  if (offset + bytes > poolBytes) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}
