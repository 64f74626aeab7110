// A WebSocket whose server side the test scripts: what the client sends is kept in `sent`
// (parsed), and the test delivers frames and closes with `serverSends` and `serverCloses`.
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
    this.sent.push(JSON.parse(raw));
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
