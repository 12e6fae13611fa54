#!/usr/bin/env node
import { launch } from '../../runtime/bin/launch.mjs';

await launch('agentcom-git', 'sidecar/git/cli.ts');
