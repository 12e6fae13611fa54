import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import uWS from 'uWebSockets.js';
import { registerStaticFiles, staticFilePaths } from '../../../web/static-files.ts';
import { makeTempDir, type TempDir } from '../../support/temp-dir.ts';

/** One raw HTTP/1.1 request, so paths like `/../x` reach the server exactly as written. */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      const [statusLine, ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        parsed[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine!.split(' ')[1]), headers: parsed, body: raw.subarray(split + 4) });
    });
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);
  });
}

describe('registerStaticFiles', () => {
  let temp: TempDir;
  let site: string;
  let listen: uWS.us_listen_socket;
  let port: number;
  const bigScript = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;

  before(async () => {
    temp = makeTempDir('static');
    site = join(temp.path, 'site');
    mkdirSync(join(site, 'css'), { recursive: true });
    writeFileSync(join(temp.path, 'secret.txt'), 'outside the served folder');
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(join(site, 'app.js'), bigScript);
    writeFileSync(join(site, 'css', 'app.css'), 'body{color:red}');
    writeFileSync(join(site, '.env'), 'TOKEN=hidden');
    const app = uWS.App();
    registerStaticFiles(app, site);
    // What web/http/router.ts mounts last: unknown paths are 404.
    app.any('/*', (res) => {
      res.writeStatus('404 Not Found').end('{"error":"not_found"}');
    });
    listen = await new Promise<uWS.us_listen_socket>((resolve, reject) => app.listen('127.0.0.1', 0, (socket) => (socket ? resolve(socket) : reject(new Error('no listen')))));
    port = uWS.us_socket_local_port(listen as unknown as uWS.us_socket);
  });

  after(() => {
    uWS.us_listen_socket_close(listen);
    temp.remove();
  });

  it('lists the regular files under the folder and leaves dotfiles out', () => {
    expect(staticFilePaths(site)).to.deep.equal(['app.js', 'css/app.css', 'index.html']);
  });

  it('serves index.html at / and at /dashboard', async () => {
    for (const path of ['/', '/dashboard', '/index.html']) {
      const response = await rawGet(port, path);
      expect(response.status, path).to.equal(200);
      expect(response.headers['content-type'], path).to.equal('text/html; charset=utf-8');
      expect(response.body.toString(), path).to.contain('<title>dash</title>');
    }
  });

  it('sends each file with the content type of its extension, in subfolders too', async () => {
    const script = await rawGet(port, '/app.js');
    expect(script.headers['content-type']).to.equal('text/javascript; charset=utf-8');
    const style = await rawGet(port, '/css/app.css');
    expect(style.headers['content-type']).to.equal('text/css; charset=utf-8');
    expect(style.body.toString()).to.equal('body{color:red}');
    expect(style.headers['x-content-type-options']).to.equal('nosniff');
  });

  it('answers 304 to a matching If-None-Match and 200 with the body otherwise', async () => {
    const first = await rawGet(port, '/css/app.css');
    const etag = first.headers.etag!;
    expect(etag).to.match(/^"[\w-]+"$/);
    expect(first.headers['cache-control']).to.equal('no-cache');
    const again = await rawGet(port, '/css/app.css', { 'if-none-match': etag });
    expect(again.status).to.equal(304);
    expect(again.body.length).to.equal(0);
    const stale = await rawGet(port, '/css/app.css', { 'if-none-match': '"something-else"' });
    expect(stale.status).to.equal(200);
  });

  it('gives a changed file a new ETag', async () => {
    const before = (await rawGet(port, '/css/app.css')).headers.etag;
    writeFileSync(join(site, 'css', 'app.css'), 'body{color:blue}');
    const changed = await rawGet(port, '/css/app.css');
    expect(changed.headers.etag).to.not.equal(before);
    expect(changed.body.toString()).to.equal('body{color:blue}');
  });

  it('gzips text of 1 KiB or more when the client accepts it, and only then', async () => {
    const zipped = await rawGet(port, '/app.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(zipped.headers['content-encoding']).to.equal('gzip');
    expect(zipped.headers.vary).to.equal('accept-encoding');
    expect(gunzipSync(zipped.body).toString()).to.equal(bigScript);
    expect(zipped.body.length).to.be.below(bigScript.length / 4);
    const plain = await rawGet(port, '/app.js');
    expect(plain.headers['content-encoding']).to.equal(undefined);
    expect(plain.body.toString()).to.equal(bigScript);
    const small = await rawGet(port, '/index.html', { 'accept-encoding': 'gzip' });
    expect(small.headers['content-encoding']).to.equal(undefined);
  });

  it('serves nothing outside the folder, whatever the path looks like', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/css/../../secret.txt', '/css/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '//secret.txt', '/.env', '/css/']) {
      const response = await rawGet(port, path);
      expect(response.status, path).to.equal(404);
      expect(response.body.toString(), path).to.not.contain('outside');
      expect(response.body.toString(), path).to.not.contain('hidden');
    }
  });

  it('refuses a folder that does not exist', () => {
    expect(() => registerStaticFiles(uWS.App(), join(temp.path, 'missing'))).to.throw();
  });
});
