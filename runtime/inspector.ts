// `agentcom start --inspect`: streams every actor's events to the Stately inspector.
//
// The WebSocket inspector needs no internet: the hub runs a local inspector server
// and sends inspection events to it; a developer opens it in a browser. The Sky
// inspector (stately.ai) is never used by default because hubs often run offline.
import { createWebSocketInspector } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import type { Logger } from './logger.ts';

export function inspectorFor(port: number, log: Logger) {
  const server = createInspectorServer({ port, autoOpen: false });
  const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
  log.notice('stately inspector streaming', { inspector_url: `http://127.0.0.1:${port}` });
  return {
    inspect: inspector.inspect,
    stop() {
      inspector.stop();
      server.stop();
    },
  };
}
