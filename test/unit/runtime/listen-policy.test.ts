import { expect } from 'chai';
import { clearTextVerdict, isLoopbackHost } from '../../../runtime/listen-policy.ts';

describe('clear-text listen policy', () => {
  it('knows loopback addresses and names', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'hub.localhost', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).to.equal(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.2', 'hub.example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).to.equal(false);
    }
  });

  it('warns on clear text off loopback, refuses it with require_tls, and is quiet with TLS or on loopback', () => {
    const warned = clearTextVerdict('0.0.0.0', false, false);
    expect(warned.ok && warned.warning).to.match(/clear text on 0\.0\.0\.0/);
    const refused = clearTextVerdict('0.0.0.0', false, true);
    expect(refused.ok ? null : refused.code).to.equal('AC_ERR_TLS_REQUIRED');
    expect(clearTextVerdict('0.0.0.0', true, true)).to.deep.equal({ ok: true, warning: null });
    expect(clearTextVerdict('127.0.0.1', false, true)).to.deep.equal({ ok: true, warning: null });
  });
});
