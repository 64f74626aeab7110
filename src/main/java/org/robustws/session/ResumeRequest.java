package org.robustws.session;

import java.util.Map;
import java.util.function.Predicate;
import org.robustws.stream.StreamPosition;

/**
 * What a client sends to resume. {@code positions}: its own per channel, may be empty. {@code
 * subject}: who the resuming connection authenticated as, or {@code null}; {@code mayRead}: which
 * of the session's channels that identity may still read.
 */
public record ResumeRequest(
    String sessionId,
    String token,
    long lastSeq,
    Map<String, StreamPosition> positions,
    String subject,
    Predicate<String> mayRead) {}
