import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const checker = fileURLToPath(new URL('../../../tools/check-layers.mjs', import.meta.url));

/** A throwaway tree of source files, `relative path → contents`. */
function fixture(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'agentcom-layers-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

function check(root: string) {
  const run = spawnSync(process.execPath, [checker, root], { encoding: 'utf8' });
  rmSync(root, { recursive: true, force: true });
  return run;
}

describe('check-layers', () => {
  it('passes a tree whose imports all point inward', () => {
    const run = check(fixture({
      'storage/domain/task-status.ts': "export const taskStatuses = ['queued'] as const;\n",
      'storage/task-queue.ts': "import { taskStatuses } from './domain/task-status.ts';\nexport const lanes = taskStatuses;\n",
      'web/protocol/task.ts': "import { taskStatuses } from '../../storage/domain/task-status.ts';\nexport const statuses = taskStatuses;\n",
      'runtime/boot.ts': "import { lanes } from '../storage/task-queue.ts';\nimport { statuses } from '../web/protocol/task.ts';\nexport const all = [lanes, statuses];\n",
    }));
    expect(run.stderr).to.equal('');
    expect(run.status).to.equal(0);
  });

  it('fails on storage importing from web, naming the file and the import', () => {
    const run = check(fixture({
      'web/protocol/task.ts': "export const taskStatuses = ['queued'] as const;\n",
      'storage/task-queue.ts': "import { taskStatuses } from '../web/protocol/task.ts';\nexport const lanes = taskStatuses;\n",
    }));
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain('storage/task-queue.ts imports web/protocol/task.ts');
  });

  it('counts a type-only import as a dependency', () => {
    const run = check(fixture({
      'runtime/config.ts': 'export interface Config { port: number }\n',
      'web/server.ts': "import type { Config } from '../runtime/config.ts';\nexport const port = (config: Config) => config.port;\n",
    }));
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain('web/server.ts imports runtime/config.ts');
  });
});
