// Checks an LMDB data file against its own meta pages before it is mapped.
//
// LMDB maps the whole file and trusts it: a file truncated below the last page its
// newest meta page names makes the first read of a missing page a SIGBUS, which no
// try/catch can catch. Reading the two meta pages with plain file reads first turns
// that into an error value. The layout is the one lmdb-js 3 builds (LMDB 1.0 pages:
// a 24-byte page header with the page's txnid, then the meta record).
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';

const metaMagic = 0xbeefc0de;
const dataVersion = 2;
const pageHeaderBytes = 24;
const dbRecordBytes = 48;
const invalidPage = 0xffffffffffffffffn;
/** A meta page is at most this long; 4 KiB pages are the smallest LMDB writes on Linux. */
const metaReadBytes = 512;

export interface MetaPage {
  txnId: number;
  lastPage: number;
  pageSize: number;
  mapSizeBytes: number;
  roots: { free: bigint; main: bigint };
}

export type EnvironmentFileCheck =
  | { ok: true; state: 'missing' }
  | { ok: true; state: 'valid'; meta: MetaPage; fileBytes: number }
  | { ok: false; reason: string };

/** The folder's data.mdb is absent (a new store), or its newest meta page is sound and the file holds every page it names. */
export function checkEnvironmentFile(dir: string): EnvironmentFileCheck {
  const path = join(dir, 'data.mdb');
  if (!existsSync(path)) return { ok: true, state: 'missing' };
  const fd = openSync(path, 'r');
  try {
    const fileBytes = fstatSync(fd).size;
    if (fileBytes === 0) return { ok: true, state: 'missing' };
    const first = readMeta(fd, 0);
    if (!first) return { ok: false, reason: `${path}: meta page 0 is not an LMDB meta page` };
    const second = readMeta(fd, first.pageSize);
    if (!second) return { ok: false, reason: `${path}: meta page 1 is not an LMDB meta page` };
    const newest = second.txnId > first.txnId ? second : first;
    const neededBytes = (newest.lastPage + 1) * newest.pageSize;
    if (fileBytes < neededBytes) {
      return { ok: false, reason: `${path} is truncated: ${fileBytes} bytes, its meta page names ${neededBytes}` };
    }
    for (const [name, root] of Object.entries(newest.roots)) {
      if (root !== invalidPage && root > BigInt(newest.lastPage)) {
        return { ok: false, reason: `${path}: the ${name} tree's root page ${root} is past the last page ${newest.lastPage}` };
      }
    }
    return { ok: true, state: 'valid', meta: newest, fileBytes };
  } finally {
    closeSync(fd);
  }
}

function readMeta(fd: number, offset: number): MetaPage | null {
  const page = Buffer.alloc(metaReadBytes);
  if (readSync(fd, page, 0, metaReadBytes, offset) < metaReadBytes) return null;
  const meta = pageHeaderBytes;
  if (page.readUInt32LE(meta) !== metaMagic || page.readUInt32LE(meta + 4) !== dataVersion) return null;
  const freeDb = meta + 24;
  const mainDb = freeDb + dbRecordBytes;
  // LMDB keeps the page size in the free tree's md_pad.
  const pageSize = page.readUInt32LE(freeDb);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return null;
  const tail = mainDb + dbRecordBytes;
  const lastPage = page.readBigUInt64LE(tail);
  if (lastPage < 1n || lastPage > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return {
    pageSize,
    mapSizeBytes: Number(page.readBigUInt64LE(meta + 16)),
    roots: { free: page.readBigUInt64LE(freeDb + 40), main: page.readBigUInt64LE(mainDb + 40) },
    lastPage: Number(lastPage),
    txnId: Number(page.readBigUInt64LE(tail + 8)),
  };
}
