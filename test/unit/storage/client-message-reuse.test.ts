import { expect } from 'chai';
import { answerReuse, broadcastSend, channelSend, directSend } from '../../../storage/client-message-reuse.ts';

describe('a reused client_msg_id', () => {
  const first = { id: 'aaaaaaaaaaaaaaaa', seq: 3, timestamp: 1, duplicate: false };

  it('answers the same send (kind and target) with the first answer, marked duplicate', () => {
    for (const send of [directSend('bob'), broadcastSend, channelSend('ops')]) {
      expect(answerReuse('c-1', send, send, first)).to.deep.equal({ ok: true, value: { ...first, duplicate: true } });
    }
  });

  it('refuses another kind or another target with the two sends named', () => {
    const sends = [directSend('bob'), directSend('carol'), broadcastSend, channelSend('ops'), channelSend('dev')];
    for (const was of sends) {
      for (const now of sends.filter((send) => send !== was)) {
        expect(answerReuse('c-1', was, now, first)).to.deep.equal({
          ok: false, code: 'AC_ERR_CLIENT_MSG_ID_CONFLICT', detail: `client_msg_id c-1 was first used for another send (${was}), not ${now}`,
        });
      }
    }
  });

  it('keeps an agent named like a channel apart from the channel', () => {
    expect(answerReuse('c-1', directSend('channel:ops'), channelSend('ops'), first).ok).to.equal(false);
  });

  it('answers every send with the first answer when the record (an older hub\'s) has no send', () => {
    for (const send of [directSend('bob'), broadcastSend, channelSend('ops')]) {
      expect(answerReuse('c-1', undefined, send, first)).to.deep.equal({ ok: true, value: { ...first, duplicate: true } });
    }
  });
});
