// Serves the built dashboard (web/static/dist) at `/`: index.html for `/` and `/dashboard`,
// every other file at its own path. Only the files found when the server starts get a
// route, so no request path (`..`, encoded or not) can reach anything outside the folder.
import { createHash } from 'node:crypto';
import { readdirSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

/** Below this size gzip saves less than the header it adds. */
const gzipMinBytes = 1024;

interface CachedFile {
  mtimeMs: number;
  size: number;
  etag: string;
  body: Buffer;
  /** Computed once per file version, on the first request that accepts gzip. */
  gzipped: Buffer | null;
}

/** URL paths (without the leading slash) of every regular file under `dir`; dotfiles and symlinks are left out. */
export function staticFilePaths(dir: string): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

export function registerStaticFiles(app: TemplatedApp, dir: string): void {
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const cache = new Map<string, CachedFile>();

  const load = async (path: string): Promise<CachedFile | null> => {
    let info: Stats;
    try {
      info = await stat(path);
    } catch {
      cache.delete(path);
      return null;
    }
    const known = cache.get(path);
    if (known && known.mtimeMs === info.mtimeMs && known.size === info.size) return known;
    const body = await readFile(path);
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
    const file: CachedFile = { mtimeMs: info.mtimeMs, size: info.size, etag, body, gzipped: null };
    cache.set(path, file);
    return file;
  };

  const serve = (path: string) => {
    const type = contentTypes[extname(path)] ?? 'application/octet-stream';
    const compressible = /^(text\/|application\/(json|manifest\+json)|image\/svg)/.test(type);
    return (res: HttpResponse, req: HttpRequest) => {
      // uWS reuses `req` once the handler returns: copy what we need first.
      const ifNoneMatch = req.getHeader('if-none-match');
      const acceptsGzip = /\bgzip\b/.test(req.getHeader('accept-encoding'));
      const state = { aborted: false };
      res.onAborted(() => {
        state.aborted = true;
      });
      load(path).then((file) => {
        if (state.aborted) return;
        res.cork(() => {
          if (!file) {
            res.writeStatus('404 Not Found').writeHeader('content-type', 'application/json')
              .end(JSON.stringify({ error: 'not_found', code: 'AC_ERR_NOT_FOUND' }));
            return;
          }
          // Names are not content-hashed, so browsers revalidate every time; the ETag makes that a 304.
          const common = (status: string) => res.writeStatus(status)
            .writeHeader('etag', file.etag)
            .writeHeader('cache-control', 'no-cache')
            .writeHeader('vary', 'accept-encoding')
            .writeHeader('x-content-type-options', 'nosniff');
          if (ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === file.etag)) {
            common('304 Not Modified').endWithoutBody();
            return;
          }
          if (acceptsGzip && compressible && file.size >= gzipMinBytes) {
            file.gzipped ??= gzipSync(file.body);
            common('200 OK').writeHeader('content-type', type).writeHeader('content-encoding', 'gzip').end(file.gzipped);
            return;
          }
          common('200 OK').writeHeader('content-type', type).end(file.body);
        });
      }, () => {
        if (state.aborted) return;
        res.cork(() => {
          res.writeStatus('500 Internal Server Error').writeHeader('content-type', 'application/json')
            .end(JSON.stringify({ error: 'internal', code: 'AC_ERR_INTERNAL' }));
        });
      });
    };
  };

  for (const file of staticFilePaths(dir)) app.get(`/${file}`, serve(join(dir, ...file.split('/'))));
  const index = serve(join(dir, 'index.html'));
  app.get('/', index);
  app.get('/dashboard', index);
  app.get('/dashboard/', index);
}
