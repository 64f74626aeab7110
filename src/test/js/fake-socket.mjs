// A WebSocket whose server side the test scripts: what the client sends is kept in `sent`
// (parsed when JSON), and the test opens it, delivers frames and closes with `opens`,
// `serverSends` and `serverCloses`.
export class FakeSocket {
  static all = [];
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.sent = [];
    this.closed = null;
    FakeSocket.all.push(this);
  }
  send(raw) {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch (e) {
      frame = raw; // a text frame that is not JSON (the legacy protocol echoes any)
    }
    this.sent.push(frame);
  }
  opens() {
    this.onopen();
  }
  close(code, reason) {
    this.closed = { code, reason };
  }
  serverSends(obj) {
    this.onmessage({ data: JSON.stringify(obj) });
  }
  serverCloses(code) {
    this.onclose({ code, reason: '', wasClean: code !== 1006 });
  }
}
