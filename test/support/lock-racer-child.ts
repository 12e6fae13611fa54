// Child process for the data-dir lock race: waits for a start time, tries to take the
// lock, prints "won" or "lost", holds a won lock a moment, then exits.
import { acquireDataDirLock } from '../../storage/data-dir-lock.ts';

const [dir, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // Spin to the shared start so the racers overlap.
}
const outcome = acquireDataDirLock(dir!);
process.stdout.write(outcome.ok ? 'won\n' : `lost ${outcome.reason}\n`);
setTimeout(() => {
  if (outcome.ok) outcome.lock.release();
}, 4000);
