package org.robustws.session;

import java.util.Map;
import org.robustws.stream.StreamPosition;

/** Makes a session's {@code resumed} frame, which follows the events its resume replays. */
@FunctionalInterface
interface ResumedFrame {
  String encode(int replayed, long lastSeq, Map<String, StreamPosition> positions);
}
