// Small formatting helpers of the test page, pure.

/** A wall-clock time with milliseconds, e.g. `14:03:07.042`. */
export function time(ts) {
  const d = new Date(ts);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** Seconds as `1d 2h 3m 4s` (no days when there are none). */
export function formatDuration(s) {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${d ? `${d}d ` : ''}${h}h ${m}m ${s % 60}s`;
}

/** The JSON value a field holds, or the text itself when it is not JSON. */
export function parseMaybeJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return text;
  }
}
