package org.robustws.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameHeaderScannerTest {
  private static final int LIMIT = 1000;
  private static final int FIN = 0x80;
  private static final int TEXT = 0x1;
  private static final int PING = 0x9;

  @Test
  void wellFormedFramesOfEveryLengthEncodingPass() {
    byte[] stream =
        concat(
            frame(FIN | TEXT, 5, true),
            frame(FIN | TEXT, 126, true), // 16-bit length
            frame(FIN | PING, 0, true),
            frame(FIN | TEXT, LIMIT, true));
    FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
    assertEquals(stream.length, scan(scanner, stream, 0, stream.length));
    assertEquals(0, scanner.violation());
    assertNull(scanner.reason());
  }

  @Test
  void aFrameAboveTheLimitIsFoundAtItsHeaderAndTheFramesBeforeItPass() {
    byte[] good = frame(FIN | TEXT, 10, true);
    byte[] big = header(FIN | TEXT, LIMIT + 1, true); // header only: no payload sent
    byte[] stream = concat(good, big);
    FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
    assertEquals(good.length, scan(scanner, stream, 0, stream.length));
    assertEquals(1009, scanner.violation());
  }

  @Test
  void aTwoToTheFortyLengthIsTooBigWithoutWaitingForTheMask() {
    byte[] eightByteLength = new byte[] {(byte) (FIN | TEXT), (byte) 0xFF, 0, 0, 1, 0, 0, 0, 0, 0};
    FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
    assertEquals(0, scan(scanner, eightByteLength, 0, eightByteLength.length));
    assertEquals(1009, scanner.violation());
  }

  @Test
  void aSixtyFourBitLengthWithItsTopBitSetIsAProtocolError() {
    byte[] header = new byte[] {(byte) (FIN | TEXT), (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1};
    FrameHeaderScanner scanner = new FrameHeaderScanner(Long.MAX_VALUE);
    assertEquals(0, scan(scanner, header, 0, header.length));
    assertEquals(1002, scanner.violation());
  }

  @Test
  void fragmentsCountTogetherAndControlFramesBetweenThemDoNot() {
    byte[] stream =
        concat(
            frame(TEXT, 600, true),
            frame(FIN | PING, 100, true),
            frame(0x0, 300, true), // continuation: 900 so far
            frame(FIN | 0x0, 101, true)); // 1001: too big
    FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
    int end = scan(scanner, stream, 0, stream.length);
    assertEquals(stream.length - frame(FIN | 0x0, 101, true).length, end);
    assertEquals(1009, scanner.violation());
  }

  @Test
  void headersSplitAcrossReadsOneByteAtATimeAreFollowed() {
    byte[] stream = concat(frame(FIN | TEXT, 300, true), header(FIN | TEXT, 70_000, true));
    FrameHeaderScanner scanner = new FrameHeaderScanner(LIMIT);
    int firstBad = -1;
    for (int i = 0; i < stream.length && firstBad < 0; i++) {
      if (scan(scanner, stream, i, i + 1) == i) {
        firstBad = i;
      }
    }
    assertEquals(1009, scanner.violation());
    // the violation shows at the last byte of the 64-bit length, which came in its own read
    assertEquals(frame(FIN | TEXT, 300, true).length + 2 + 8 - 1, firstBad);
  }

  private static int scan(FrameHeaderScanner scanner, byte[] bytes, int from, int to) {
    return scanner.scan(ByteBuffer.wrap(bytes), from, to);
  }

  private static byte[] frame(int first, int length, boolean masked) {
    byte[] payload = "€".repeat(length).getBytes(StandardCharsets.UTF_8);
    return concat(header(first, length, masked), java.util.Arrays.copyOf(payload, length));
  }

  private static byte[] header(int first, long length, boolean masked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    int mask = masked ? 0x80 : 0;
    if (length < 126) {
      out.write(mask | (int) length);
    } else if (length <= 0xFFFF) {
      out.write(mask | 126);
      out.write((int) (length >> 8));
      out.write((int) length);
    } else {
      out.write(mask | 127);
      out.writeBytes(ByteBuffer.allocate(8).putLong(length).array());
    }
    if (masked) {
      out.writeBytes(new byte[] {1, 2, 3, 4});
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      all.writeBytes(part);
    }
    return all.toByteArray();
  }
}
