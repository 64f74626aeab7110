// The resume test: drop the connection, publish from a second connection meanwhile, reconnect,
// and check that the replay filled the gap exactly once, in order.

/**
 * Resolves with the first event of one of `types` whose detail satisfies `predicate`, as
 * `{type, detail}`, or rejects after `ms`; either way it stops listening.
 */
export function waitForFirst(target, types, predicate, ms) {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(t);
      for (const type of types) target.removeEventListener(type, handler);
    };
    const t = setTimeout(() => {
      stop();
      reject(new Error(`timed out after ${ms} ms waiting for ${types.join(' or ')}`));
    }, ms);
    function handler(e) {
      const detail = e.detail !== undefined ? e.detail : e;
      if (predicate(detail)) {
        stop();
        resolve({ type: e.type, detail });
      }
    }
    for (const type of types) target.addEventListener(type, handler);
  });
}

/** Resolves with the detail of the first `type` event that satisfies `predicate`, or rejects after `ms`. */
export function waitFor(target, type, predicate, ms) {
  return waitForFirst(target, [type], predicate, ms).then(({ detail }) => detail);
}

/** How many events the test publishes: the field's number, 1 to 500, 5 when it is not one. */
export function eventCount(text) {
  return Math.max(1, Math.min(500, Number(text) || 5));
}

/** `offset 12 (epoch e1)`, or `start` before the first event of the channel. */
export function showPosition(p) {
  return p ? `offset ${p.offset} (epoch ${p.epoch})` : 'start';
}

/**
 * The verdict: pass when the resume replayed at least what was published while away, every
 * publication arrived, in contiguous `seq` order, without a gap.
 *
 * @param {object} input
 * @param {{ok: boolean, reason?: string, lostAfterSeq?: number, replayed?: number}} input.outcome
 *   the `resumed` (ok) or `resumefailed` detail
 * @param {string[]} input.ids the publications' ids
 * @param {Array<{id?: string, seq: number}>} input.received the channel's events while the test ran
 * @param {number} input.gaps `gap` events meanwhile
 * @param {string} input.where the position line
 * @returns {{outcome: 'pass'|'fail', text: string, replayed: number, gaps: number}}
 */
export function resumeVerdict({ outcome, ids, received, gaps, where }) {
  const count = ids.length;
  const got = received.filter((e) => ids.includes(e.id));
  const seqs = got.map((e) => e.seq);
  const contiguous = seqs.every((s, i) => i === 0 || s === seqs[i - 1] + 1);
  const missing = ids.filter((id) => !got.some((e) => e.id === id)).length;
  if (!outcome.ok) {
    return {
      outcome: 'fail',
      text: `Resume failed (${outcome.reason}): events after seq ${outcome.lostAfterSeq} are lost; ${got.length}/${count} arrived.${where}`,
      replayed: 0,
      gaps: gaps + missing,
    };
  }
  const pass = outcome.replayed >= count && missing === 0 && gaps === 0 && contiguous;
  return {
    outcome: pass ? 'pass' : 'fail',
    text: `Resumed: replayed ${outcome.replayed} events (published ${count} while away), seq ${seqs.length ? `${seqs[0]}–${seqs[seqs.length - 1]}` : 'none'}, `
      + `gaps ${gaps}, missing ${missing}${contiguous ? '' : ', out of order'}.${where}`,
    replayed: outcome.replayed,
    gaps: gaps + missing,
  };
}

/**
 * Publishes `count` events to `channel` from a connection of its own (plain protocol v1) and
 * resolves with their ids once all are acknowledged.
 */
export function publishFromSecondConnection(url, channel, count, WebSocketClass = WebSocket) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocketClass(url);
    const ids = [];
    let acks = 0;
    const t = setTimeout(() => {
      ws.close();
      reject(new Error('the publishing connection timed out'));
    }, 10000);
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.type === 'system' && m.event === 'connected') {
        for (let i = 1; i <= count; i++) {
          const id = `rt-${Date.now()}-${i}`;
          ids.push(id);
          ws.send(JSON.stringify({ type: 'publish', channel, data: { n: i }, id }));
        }
      } else if (m.type === 'ack' && ids.includes(m.id) && ++acks === count) {
        clearTimeout(t);
        ws.close(1000, 'resume test done');
        resolve(ids);
      } else if (m.type === 'error') {
        clearTimeout(t);
        ws.close();
        reject(new Error(`${m.error}: ${m.message}`));
      }
    };
    ws.onerror = () => reject(new Error('the publishing connection failed'));
  });
}

/**
 * Runs the test on the page's client.
 *
 * @param {object} run
 * @param {import('../robust-websocket.js').RobustWebSocket} run.client connected to /ws
 * @param {string} run.channel
 * @param {number} run.count
 * @param {string} run.url of /ws, for the publishing connection
 * @param {(outcome: string, text: string, data?: Record<string, string>) => void} run.report
 * @param {(level: string, event: string, details: string) => void} run.log
 * @param {typeof publishFromSecondConnection} [run.publish]
 */
export async function runResumeTest({ client: c, channel, count, url, report, log, publish = publishFromSecondConnection }) {
  report('running', `Subscribing to ${channel}…`);
  const received = [];
  let gaps = 0;
  const onEvent = (e) => e.detail.channel === channel && received.push(e.detail);
  const onGap = () => gaps++;
  try {
    const subscribed = waitFor(c, 'message', (d) => d.message && d.message.type === 'subscribed' && d.message.channel === channel, 5000);
    c.subscribe(channel, `rt-sub-${Date.now()}`);
    await subscribed;
    const fromSeq = c.lastSeq;
    const before = c.positions[channel];
    c.addEventListener('event', onEvent);
    c.addEventListener('gap', onGap);
    report('running', 'Dropping the connection…');
    c.forceReconnect(60000); // hold the reconnect until the events are published
    log('warn', 'resume test', `connection dropped at seq ${fromSeq}; publishing ${count} events from a second connection`);
    const ids = await publish(url, channel, count);
    report('running', `Published ${count} events while away; reconnecting…`);
    const outcome = waitForFirst(c, ['resumed', 'resumefailed'], () => true, 15000)
      .then(({ type, detail }) => ({ ok: type === 'resumed', ...detail }));
    c.reconnectNow();
    const r = await outcome;
    // where the page stood in the channel's stream before the drop and after the resume: the
    // library sends these positions with `resume`
    const after = c.positions[channel];
    const v = resumeVerdict({ outcome: r, ids, received, gaps, where: ` Position in ${channel}: ${showPosition(before)} → ${showPosition(after)}.` });
    report(v.outcome, v.text, { position: after ? String(after.offset) : '', replayed: String(v.replayed), gaps: String(v.gaps) });
  } catch (e) {
    report('fail', `Resume test failed: ${e.message}`);
    if (c.state === 'disconnected') c.reconnectNow();
  } finally {
    c.removeEventListener('event', onEvent);
    c.removeEventListener('gap', onGap);
  }
}
