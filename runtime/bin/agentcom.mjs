#!/usr/bin/env node
// The operator binary: compiled JavaScript when built, else the TypeScript sources (see launch.mjs).
import { launch } from './launch.mjs';

const { main } = await launch('agentcom', 'runtime/cli/agentcom.ts');
await main(process.argv);
