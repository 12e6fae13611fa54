// Which storage errors mean the file is damaged (rather than, say, a full disk):
// LMDB's corruption return codes, as lmdb-js reports them.
const corruptionCodes = new Set([-30796 /* MDB_CORRUPTED */, -30797 /* MDB_PAGE_NOTFOUND */, -30793 /* MDB_INVALID */, -30794 /* MDB_VERSION_MISMATCH */]);
const corruptionText = /MDB_CORRUPTED|MDB_PAGE_NOTFOUND|MDB_INVALID|MDB_VERSION_MISMATCH|page not found|located page was wrong type|file is not an LMDB file/i;

export function isCorruptionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && corruptionCodes.has(code)) return true;
  return corruptionText.test(String((error as { message?: unknown }).message ?? ''));
}
