// The folder that holds AgentCom's package.json, found by walking up from this module.
// The same answer whether this file runs as a TypeScript source (runtime/) or compiled
// into dist/, where relative paths written for the source tree would be one level off.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('agentcom: package.json not found above the running module');
    dir = parent;
  }
  return dir;
}
