// Moving Node's mock clock as a running machine's clock moves. Node 20's mock.timers.tick(ms)
// runs every timer due within `ms` with Date.now() already at the end of the tick, so one big
// tick looks to the library like a timer that fired late: like a machine that slept
// (docs/client.md, "Awake after sleep"). advance() ticks a second at a time instead; sleep()
// moves Date alone, as a suspended machine does, and then lets the timers catch up.

/**
 * @param {import('node:test').TestContext} t
 * @param {number} ms
 * @param {number} [step]
 */
export function advance(t, ms, step = 1000) {
  for (let left = ms; left > 0; left -= step) t.mock.timers.tick(Math.min(step, left));
}

/**
 * The machine sleeps `ms`: Date jumps, no timer fires meanwhile; the first tick after it finds
 * its timers late.
 *
 * @param {import('node:test').TestContext} t
 * @param {number} ms
 */
export function sleep(t, ms) {
  t.mock.timers.setTime(Date.now() + ms);
}
