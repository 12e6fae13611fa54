// A mocha root hook (.mocharc.json `require`): every frame any test's hub sends is checked
// against its schema before it is serialized (web/frame-serializer.ts), so the whole suite
// doubles as a protocol check. Off-spec frames are listed with the test that caused them and
// fail the run once at the end, so one bad frame does not stop the files after it.
import { watchOutboundFrames } from '../../web/frame-serializer.ts';

const problems: string[] = [];
let currentTest = '(outside a test)';
const unwatch = watchOutboundFrames((channel, frame, problem) => {
  if (problem && problems.length < 200) problems.push(`${currentTest}: ${channel} ${JSON.stringify(frame)?.slice(0, 300)}: ${problem}`);
});

export const mochaHooks = {
  beforeEach(this: { currentTest?: { fullTitle(): string } }) {
    currentTest = this.currentTest?.fullTitle() ?? '(unknown test)';
  },
  afterAll() {
    unwatch();
    if (problems.length > 0) throw new Error(`outbound frames that do not match their schemas:\n${problems.join('\n')}`);
  },
};
