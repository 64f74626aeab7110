package org.robustws.protocol;

import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;

/**
 * One publication on a channel, encoded once for all its subscribers: only {@code seq} differs
 * between their {@code event} frames, so the rest of the frame is kept as ready-made JSON.
 */
public final class Publication {
  private final String channel;
  private final JsonValue data;
  private final JsonValue id;
  private final String tail;
  private final int approximateBytes;

  public Publication(String channel, JsonValue data, JsonValue id) {
    if (!Channels.isValid(channel)) {
      throw new IllegalArgumentException("invalid channel name");
    }
    this.channel = channel;
    this.data = data == null ? JsonValue.NULL : data;
    this.id = id;
    // channel names need no escaping: Channels allows only [A-Za-z0-9._:-]
    this.tail =
        ",\"channel\":\""
            + channel
            + "\",\"data\":"
            + this.data
            + (id == null ? "" : ",\"id\":" + id)
            + "}";
    this.approximateBytes = tail.getBytes(StandardCharsets.UTF_8).length + 40;
  }

  public String channel() {
    return channel;
  }

  public JsonValue data() {
    return data;
  }

  public JsonValue id() {
    return id;
  }

  /** The {@code event} frame for one subscriber. */
  public String frame(long seq) {
    return "{\"type\":\"event\",\"seq\":" + seq + tail;
  }

  /** Size of one frame in bytes, give or take the digits of {@code seq}. */
  public int approximateBytes() {
    return approximateBytes;
  }

  @Override
  public String toString() {
    return "Publication["
        + channel
        + (id instanceof JsonString s ? ", id=" + s.getString() : "")
        + "]";
  }
}
