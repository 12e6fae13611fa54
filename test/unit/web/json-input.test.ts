import { expect } from 'chai';
import { parseJsonInput } from '../../../web/json-input.ts';

const parse = (text: string | Uint8Array) => parseJsonInput(typeof text === 'string' ? new TextEncoder().encode(text) : text);

describe('parseJsonInput', () => {
  it('takes text with no \\u escape as it is, raw non-ASCII included', () => {
    expect(parse('{"description":"ship it 🚀","tags":["ü"]}')).to.deep.equal({ ok: true, value: { description: 'ship it 🚀', tags: ['ü'] } });
  });

  it('takes escaped surrogate pairs and an escaped backslash before a u', () => {
    expect(parse('{"a":"\\ud83d\\ude80","b":"\\\\ud800"}')).to.deep.equal({ ok: true, value: { a: '🚀', b: '\\ud800' } });
  });

  it('names the field of a lone escaped surrogate, in a key or a nested value', () => {
    const nested = parse('{"metadata":{"list":["x","\\udc00"]}}');
    expect(nested.ok ? null : nested).to.deep.include({ problem: 'invalid_unicode' });
    expect(nested.ok ? null : (nested as { errors: Array<{ field: string }> }).errors[0].field).to.equal('metadata.list[1]');
    const key = parse('{"\\ud800":1}');
    expect(key.ok ? null : (key as { errors: Array<{ field: string }> }).errors[0].field).to.equal('\ud800');
  });

  it('refuses bytes that are not UTF-8 and text that is not JSON', () => {
    const bad = parse(Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]));
    expect(bad.ok ? null : bad.problem).to.equal('invalid_unicode');
    expect(parse('{"a":').ok).to.equal(false);
  });
});
