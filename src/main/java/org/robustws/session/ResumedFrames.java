package org.robustws.session;

import java.util.Map;
import org.robustws.stream.StreamPosition;

/** Makes the {@code resumed} frame. */
@FunctionalInterface
public interface ResumedFrames {
  String encode(
      String sessionId,
      String resumeToken,
      int replayed,
      long lastSeq,
      Map<String, StreamPosition> positions);
}
