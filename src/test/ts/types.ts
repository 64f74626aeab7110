// Checks that the types are strict, not `any`: each line below a @ts-expect-error must fail to
// compile (tsc reports an unused @ts-expect-error otherwise). Compiled with usage.ts, never run.
import { RobustWebSocket, type PublishErrorCode } from '@robustws/robust-websocket';

const socket = new RobustWebSocket('ws://localhost:8080/ws');

socket.addEventListener('close', (e) => {
  const code: number = e.detail.code;
  // @ts-expect-error: a close's detail has no `seq`
  console.log(code, e.detail.seq);
});
socket.addEventListener('reconnecting', (e) => {
  // @ts-expect-error: `delay` is a number
  const delay: string = e.detail.delay;
  console.log(delay);
});
// @ts-expect-error: publish needs a channel
void socket.publish();
socket.publish('a', 1).then((ack) => {
  // @ts-expect-error: offset is a number
  ack.offset.toUpperCase();
});
// @ts-expect-error: an unknown option
new RobustWebSocket('ws://x', { publishTimout: 5 });
// @ts-expect-error: state is read-only
socket.state = 'connected';
const known: PublishErrorCode = 'rate_limited';
const future: PublishErrorCode = 'a_code_of_a_newer_server';
console.log(known, future);
