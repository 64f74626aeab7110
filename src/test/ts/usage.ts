// The TypeScript example of docs/client.md, compiled by the build with tsc --strict (pom.xml,
// execution typescript-check); a unit test (docs.test.mjs) checks that the guide shows exactly
// the code below this comment.
import { PublishError, RobustWebSocket, type PublishAck } from '@robustws/robust-websocket';

interface Order {
  order: number;
  item: string;
}

const socket = new RobustWebSocket('wss://shop.example/ws', {
  protocols: 'robust-ws.v1',
  publishTimeout: 10_000, // no ack within 10 s: the Promise rejects with 'timeout'
  maxPendingPublications: 50, // one more rejects with 'queue_full'
});

socket.addEventListener('statechange', (e) => console.log(`${e.detail.previous} -> ${e.detail.state}`));
socket.addEventListener('event', (e) => {
  const { channel, seq, offset, replayed } = e.detail;
  const order = e.detail.data as Order;
  console.log(`${channel} #${seq} @${offset}${replayed ? ' (replayed)' : ''}: ${order.item}`);
});
socket.addEventListener('resumefailed', (e) => console.warn(`resume failed (${e.detail.reason}): reload the orders`));
socket.addEventListener('wakeup', (e) => console.info(`${e.detail.trigger}: ${e.detail.action}`));
socket.addEventListener('giveup', (e) => console.error(`offline for good: ${e.detail.reason}`));

socket.subscribe('orders.eu');
socket.connect();

/** Publishes an order; resolves with its offset in the channel, or null when it must be retried later. */
export async function placeOrder(order: Order): Promise<number | null> {
  try {
    const ack: PublishAck = await socket.publish('orders.eu', order);
    if (ack.repeated) console.info(`${ack.id} was applied before the reconnect`);
    return ack.offset;
  } catch (e) {
    if (!(e instanceof PublishError)) throw e;
    switch (e.code) {
      case 'rate_limited':
      case 'queue_full':
        return null; // too many in flight: wait for acks, then publish again
      case 'timeout':
      case 'gave_up':
      case 'session_lost':
        // e.sent: it went out at least once, so the server may have applied it
        console.warn(`${e.id} unconfirmed (sent: ${e.sent})`);
        return null;
      default:
        throw e; // forbidden, invalid_channel, too_large, ...: a bug or a missing permission
    }
  }
}
