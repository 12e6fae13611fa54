import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../runtime/logger.ts';

function capture(level = 'debug') {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
  });
  return { logger: createLogger(level, stream), lines };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('logger', () => {
  it('writes one JSON object per line with time, level, module and the ids given', async () => {
    const { logger, lines } = capture();
    logger.child({ module: 'hub' }).info('task assigned', { task_id: 'task-1', agent_id: 'a1' });
    await flush();
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 'info', message: 'task assigned', module: 'hub', task_id: 'task-1', agent_id: 'a1' });
    expect(Date.parse(lines[0].time as string)).to.be.a('number').and.not.NaN;
  });

  it('never writes a token', async () => {
    const { logger, lines } = capture();
    const secret = 'f'.repeat(64);
    logger.info('identify', { agent_id: 'a1', token: secret, authorization: `Bearer ${secret}` });
    await flush();
    expect(JSON.stringify(lines)).to.not.include(secret);
    expect(lines[0]).to.include({ token: '[redacted]', authorization: '[redacted]' });
  });

  it('redacts secrets at any depth, such as authorization inside nested metadata, without changing the caller\'s object', async () => {
    const { logger, lines } = capture();
    const metadata = { repo: 'x', headers: { Authorization: 'Bearer abc' }, hooks: [{ token: 'def', url: 'u' }] };
    logger.child({ task_id: 'task-1' }).info('task submitted', { task_id: 'task-1', metadata });
    await flush();
    const line = lines.at(-1) as { metadata: typeof metadata };
    expect(line.metadata).to.deep.equal({ repo: 'x', headers: { Authorization: '[redacted]' }, hooks: [{ token: '[redacted]', url: 'u' }] });
    expect(JSON.stringify(line)).to.not.include('abc').and.not.include('def');
    expect(metadata.headers.Authorization).to.equal('Bearer abc');
  });

  it('uses the reference levels, notice and warning included, and filters below its level', async () => {
    const { logger, lines } = capture('notice');
    logger.info('dropped');
    logger.notice('kept');
    logger.warning('kept too');
    await flush();
    expect(lines.map((line) => line.message)).to.deep.equal(['kept', 'kept too']);
  });
});
