// Bodies over max_payload_bytes are refused as soon as the size is known: at the
// Content-Length header, or once the streamed bytes pass the limit. Never buffered whole.
import { expect } from 'chai';
import { connect } from 'node:net';
import { startTestHub, type TestHub } from '../support/hub-harness.ts';

/** Streams a chunked body until the hub answers; returns the status line and how much was written by then. */
function streamUntilAnswered(port: number, token: string, headers: string): Promise<{ statusLine: string; writtenBytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let written = 0;
    let answered = false;
    socket.on('connect', () => {
      socket.write(`POST /api/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n${headers}\r\n`);
      const pump = () => {
        while (!answered && written < 256 * 1024 * 1024) {
          written += chunk.length;
          if (!socket.write(`${chunk.length.toString(16)}\r\n`) || !socket.write(chunk) || !socket.write('\r\n')) return void socket.once('drain', pump);
        }
      };
      pump();
    });
    socket.on('data', (data) => {
      if (answered) return;
      answered = true;
      resolve({ statusLine: data.toString().split('\r\n')[0]!, writtenBytes: written });
      socket.destroy();
    });
    socket.on('error', (error) => {
      if (!answered) reject(error);
    });
  });
}

describe('wire: request body limit', () => {
  let hub: TestHub;

  before(async () => {
    hub = await startTestHub({ max_payload_bytes: 64 * 1024 });
  });

  after(async () => {
    await hub.stop();
  });

  it('refuses a declared Content-Length over the limit before any body byte arrives', async () => {
    const statusLine = await new Promise<string>((resolve, reject) => {
      const socket = connect(hub.port, '127.0.0.1', () => {
        socket.write(`POST /api/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${hub.adminToken}\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`);
      });
      socket.once('data', (data) => {
        resolve(data.toString().split('\r\n')[0]!);
        socket.destroy();
      });
      socket.once('error', reject);
    });
    expect(statusLine).to.equal('HTTP/1.1 413 Payload Too Large');
  });

  it('answers a streamed body with 413 once it passes the limit, long before the client is done', async () => {
    const before = process.memoryUsage().rss;
    const { statusLine, writtenBytes } = await streamUntilAnswered(hub.port, hub.adminToken, 'Transfer-Encoding: chunked\r\n');
    expect(statusLine).to.equal('HTTP/1.1 413 Payload Too Large');
    // The client had 256 MiB to send; the answer came after a few MiB at most (socket buffers included).
    expect(writtenBytes).to.be.below(32 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).to.be.below(64 * 1024 * 1024);
    expect((await hub.http('GET', '/health')).status).to.equal(200);
  });
});
