// The messages panel: ping, echo, subscribe, publish, custom JSON and raw text, through the
// page's client (the library, on /ws or /ws-legacy).
import { parseMaybeJson } from './format.js';

/** The echo frame: v1 wraps the payload in `echo`; the legacy protocol echoes any text as it is. */
export function echoFrame(legacy, text) {
  return legacy ? text : { type: 'echo', payload: parseMaybeJson(text) };
}

/** What the page says when `send()` did not send at once; empty when it did. */
export function sendResultText(result) {
  if (result === 'sent') return '';
  return result === 'queued' ? 'Not connected: queued for the next connection.' : 'Not connected: dropped.';
}

/** The custom JSON field as a frame (normalised), or why it is not one. */
export function customJson(text) {
  try {
    return { frame: JSON.stringify(JSON.parse(text)) };
  } catch (e) {
    return { error: `Not valid JSON: ${e.message}` };
  }
}

/** The log line of a publication's ack. */
export function publishedText({ id, offset, epoch, delivered, repeated }) {
  return `${id}: offset ${offset} (epoch ${epoch}), delivered to ${delivered}${repeated ? ', repeated' : ''}`;
}

/**
 * Binds the panel's buttons.
 *
 * @param {object} page
 * @param {(id: string) => any} page.$
 * @param {() => import('../robust-websocket.js').RobustWebSocket | null} page.client
 * @param {() => boolean} page.legacy whether the endpoint is /ws-legacy
 * @param {(level: string, event: string, details: string) => void} page.log
 * @param {() => void} page.saveSettings
 */
export function bindMessages({ $, client, legacy, log, saveSettings }) {
  let requestId = 0;
  const showError = (text) => {
    $('send-error').textContent = text;
  };
  const connected = () => {
    showError('');
    if (!client()) showError('Connect first.');
    return client();
  };
  const trySend = (message) => {
    const c = connected();
    if (!c) return;
    try {
      showError(sendResultText(c.send(message)));
    } catch (e) {
      showError(e.message);
    }
  };
  $('send-ping').addEventListener('click', () => {
    const c = connected();
    if (c && !c.ping()) showError('Not connected: a ping is only sent on a live connection.');
  });
  $('send-echo').addEventListener('click', () => trySend(echoFrame(legacy(), $('echo-payload').value)));
  $('subscribe').addEventListener('click', () => {
    saveSettings();
    const c = connected();
    if (c) c.subscribe($('channel').value.trim(), `sub-${++requestId}`);
  });
  $('unsubscribe').addEventListener('click', () => {
    const c = connected();
    if (c) c.unsubscribe($('channel').value.trim(), `unsub-${++requestId}`);
  });
  $('publish').addEventListener('click', () => {
    const c = connected();
    if (!c) return;
    // resolves with the server's ack (sent again after a reconnect until then), or rejects
    if (c.state !== 'connected') showError('Not connected: queued for the next connection.');
    c.publish($('channel').value.trim(), parseMaybeJson($('publish-data').value)).then(
      (ack) => log('info', 'published', publishedText(ack)),
      (e) => {
        showError(e.message);
        log('warn', 'publish failed', e.message);
      },
    );
  });
  $('send-json').addEventListener('click', () => {
    const { frame, error } = customJson($('custom-json').value);
    if (error) showError(error);
    else trySend(frame);
  });
  $('send-raw').addEventListener('click', () => trySend($('raw-text').value));
}
