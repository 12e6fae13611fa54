// Worker-thread entry for test/unit/storage/worker-thread.test.ts: lowers its own priority
// the way the backup check does and answers with the nice value it then has.
import { getPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { yieldToTheHub } from '../../storage/worker-thread.ts';

yieldToTheHub();
parentPort!.postMessage(getPriority());
