// GET /dashboard and /dashboard/<asset>: files of the built dashboard, when the server has a static dir.
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { TemplatedApp } from 'uWebSockets.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
};

export function mountStaticFiles(app: TemplatedApp, staticDir: string): void {
  const serve = (file: string) => (res: import('uWebSockets.js').HttpResponse, req: import('uWebSockets.js').HttpRequest) => {
    const asset = file || req.getParameter(0);
    const state = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    // Only plain names inside the dir: no separators, no dot-dot.
    const safe = /^[A-Za-z0-9._-]+$/.test(asset) && !asset.startsWith('.');
    const path = safe ? normalize(join(staticDir, asset)) : null;
    const done = (status: string, type: string, body: string | Buffer) => {
      if (state.aborted) return;
      res.cork(() => res.writeStatus(status).writeHeader('content-type', type).end(body));
    };
    if (!path) return done('404 Not Found', 'application/json', JSON.stringify({ error: 'not_found', code: 'AC_ERR_NOT_FOUND' }));
    readFile(path).then(
      (body) => done('200 OK', contentTypes[extname(path)] ?? 'application/octet-stream', body),
      () => done('404 Not Found', 'application/json', JSON.stringify({ error: 'not_found', code: 'AC_ERR_NOT_FOUND' })),
    );
  };
  app.get('/dashboard', serve('index.html'));
  app.get('/dashboard/:asset', serve(''));
}
