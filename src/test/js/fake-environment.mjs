// The page's network and visibility signals (options.environment), driven by the test:
// what a browser's window and document would fire.
export class FakeEnvironment extends EventTarget {
  online = true;
  visible = true;
  listeners = 0;
  addEventListener(type, listener) {
    this.listeners++;
    super.addEventListener(type, listener);
  }
  removeEventListener(type, listener) {
    this.listeners--;
    super.removeEventListener(type, listener);
  }
  goOffline() {
    this.online = false;
    this.dispatchEvent(new Event('offline'));
  }
  goOnline() {
    this.online = true;
    this.dispatchEvent(new Event('online'));
  }
  show() {
    this.visible = true;
    this.dispatchEvent(new Event('visibilitychange'));
  }
  hide() {
    this.visible = false;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}
