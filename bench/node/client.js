// A /ws client for the scripts here (smoke.js, coordinator-leave.js): parsed messages queue up, and
// next(test, ms) takes the first one that passes test (a message type or a predicate), waiting at
// most ms (5 s) for it.
'use strict';

const WebSocket = require('ws');

function open(url) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const queue = [];
    const waiters = [];
    socket.on('message', (raw) => {
      queue.push(JSON.parse(raw.toString()));
      while (waiters.length) waiters.shift()();
    });
    socket.on('error', reject);
    const client = {
      socket,
      closed: new Promise((r) => socket.on('close', r)),
      send: (m) => socket.send(JSON.stringify(m)),
      next: (test, ms = 5000) => new Promise((res, rej) => {
        const passes = typeof test === 'string' ? (m) => m.type === test : test;
        let waiting = true;
        const timer = setTimeout(() => {
          waiting = false;
          rej(new Error(`no '${typeof test === 'string' ? test : 'matching'}' message within ${ms} ms`));
        }, ms);
        const look = () => {
          if (!waiting) return; // timed out: leave the queue to the next caller
          const i = queue.findIndex(passes);
          if (i >= 0) {
            clearTimeout(timer);
            res(queue.splice(i, 1)[0]);
          } else waiters.push(look);
        };
        look();
      }),
    };
    socket.on('open', () => resolve(client));
  });
}

module.exports = { open };
