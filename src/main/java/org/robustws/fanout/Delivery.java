package org.robustws.fanout;

/**
 * An event handed to the io threads that write its subscribers' sockets: how many sessions it went
 * to, and a wait until each has queued it.
 */
interface Delivery {
  /** None: no session here listens, or the event was given out before. */
  Delivery NONE =
      new Delivery() {
        @Override
        public int sessions() {
          return 0;
        }

        @Override
        public void awaitQueued() {}
      };

  int sessions();

  /** Returns once every session has queued the event (or the wait's bound has passed). */
  void awaitQueued();
}
