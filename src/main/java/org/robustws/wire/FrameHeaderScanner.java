package org.robustws.wire;

import java.nio.ByteBuffer;
import org.robustws.protocol.CloseCodes;

/**
 * Follows the frame headers of a client's byte stream (RFC 6455 section 5.2) as it is read, without
 * copying it, and finds the first header that announces more than the message limit (1009) or an
 * invalid 64-bit length (1002), before any of that frame's payload is read. Undertow parses the
 * same headers but checks neither: it streams a frame of any announced length, so a header that
 * announces 2^40 bytes and sends none holds the connection open. The rest of the framing (masks,
 * opcodes, reserved bits, control frames) is Undertow's to check; this class only needs the lengths
 * to stay in step with it.
 *
 * <p>One instance per connection, used by the thread that reads it.
 */
public final class FrameHeaderScanner {
  private static final int CONTINUATION = 0x0;
  private static final int FIRST_CONTROL_OPCODE = 0x8;

  private final long maxMessageBytes;
  private final byte[] header = new byte[10]; // two bytes and up to eight of extended length
  private int headerRead;
  private int headerLength;
  private int maskBytesLeft;
  private long payloadLeft;
  private long messageBytes;
  private int violation;
  private String reason;

  public FrameHeaderScanner(long maxMessageBytes) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Follows bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code data}, which the
   * stream delivers after all bytes seen before.
   *
   * @return the index in {@code data} before which all bytes are fine: {@code to}, or where the
   *     first offending header starts (or {@code from}, if it started in an earlier read); then
   *     {@link #violation()} names the close code
   */
  public int scan(ByteBuffer data, int from, int to) {
    int i = from;
    int headerStart = from;
    while (i < to && violation == 0) {
      if (maskBytesLeft > 0) { // the masking key comes between the length and the payload
        int skip = Math.min(maskBytesLeft, to - i);
        maskBytesLeft -= skip;
        i += skip;
      } else if (payloadLeft > 0) {
        long skip = Math.min(payloadLeft, to - i);
        payloadLeft -= skip;
        i += (int) skip;
      } else {
        if (headerRead == 0) {
          headerStart = i;
        }
        header[headerRead++] = data.get(i++);
        headerByteRead();
      }
    }
    return violation == 0 ? to : Math.max(from, headerStart);
  }

  /** 0 while the stream is fine; else the close code its first offending header calls for. */
  public int violation() {
    return violation;
  }

  /** Why, for the close frame's reason; null while the stream is fine. */
  public String reason() {
    return reason;
  }

  private void headerByteRead() {
    if (headerRead == 2) {
      int length7 = header[1] & 0x7F;
      headerLength = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
    }
    if (headerRead < 2 || headerRead < headerLength) {
      return;
    }
    long length = length();
    if (length < 0) {
      fail(CloseCodes.PROTOCOL_ERROR, "frame length with its most significant bit set");
      return;
    }
    int opcode = header[0] & 0x0F;
    if (opcode < FIRST_CONTROL_OPCODE) {
      long total = (opcode == CONTINUATION ? messageBytes : 0) + length;
      if (total > maxMessageBytes) {
        fail(CloseCodes.TOO_BIG, "message larger than " + maxMessageBytes + " bytes");
        return;
      }
      boolean fin = (header[0] & 0x80) != 0;
      messageBytes = fin ? 0 : total;
    }
    boolean masked = (header[1] & 0x80) != 0;
    maskBytesLeft = masked ? 4 : 0;
    payloadLeft = length;
    headerRead = 0;
  }

  private long length() {
    int length7 = header[1] & 0x7F;
    if (length7 < 126) {
      return length7;
    }
    long length = 0;
    for (int k = 2; k < headerLength; k++) {
      length = (length << 8) | (header[k] & 0xFF);
    }
    return length;
  }

  private void fail(int code, String why) {
    violation = code;
    reason = why;
  }
}
