import { expect } from 'chai';
import { TurnOutput } from '../../../web/turn-output.ts';

interface Socket {
  name: string;
  pending: string[];
  pendingBytes: number;
}

const socket = (name: string): Socket => ({ name, pending: [], pendingBytes: 0 });
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnOutput: frames of one event-loop turn leave together', () => {
  it('writes each socket once per turn with every frame it was sent, in order', async () => {
    const writes: Array<[string, string[]]> = [];
    const output = new TurnOutput<string, Socket>((name, data) => writes.push([name, [...data.pending]]));
    const a = socket('a');
    const b = socket('b');
    output.queue('a', a, 'a1');
    output.queue('b', b, 'b1');
    // Sends from promise continuations of the same turn join the same write.
    await Promise.resolve();
    output.queue('a', a, 'a2');
    expect(writes).to.deep.equal([]);
    expect(a.pendingBytes).to.equal(4);
    await nextTurn();
    expect(writes).to.deep.equal([['a', ['a1', 'a2']], ['b', ['b1']]]);
    expect(a).to.include({ pendingBytes: 0 });
    expect(a.pending).to.deep.equal([]);
    output.queue('a', a, 'a3');
    await nextTurn();
    expect(writes).to.have.length(3);
    expect(writes[2]).to.deep.equal(['a', ['a3']]);
  });

  it('flushes one socket at once (before a close) and writes nothing twice', async () => {
    const writes: Array<[string, string[]]> = [];
    const output = new TurnOutput<string, Socket>((name, data) => writes.push([name, [...data.pending]]));
    const a = socket('a');
    output.queue('a', a, 'reply');
    output.flush('a', a);
    expect(writes).to.deep.equal([['a', ['reply']]]);
    output.flush('a', a);
    await nextTurn();
    expect(writes).to.have.length(1);
  });
});
