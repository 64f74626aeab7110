package org.robustws.connection;

/**
 * CDI event: a client asked to resume a session.
 *
 * @param result {@code ok} or the {@code resume_failed} reason
 * @param replayed events sent again on success
 */
public record ResumeAttempted(String connectionId, String sessionId, String result, int replayed) {}
