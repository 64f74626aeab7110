package org.robustws.session;

import java.util.Map;
import org.robustws.stream.StreamPosition;

/**
 * What a resume on another node asks for, without its token (its hash only): the node holding the
 * session lets it go only if the resume would succeed from its own, newer record, so that a resume
 * that fails (a wrong token, a {@code lastSeq} the session cannot resume from) leaves the
 * connection holding it alone.
 */
public record ResumeClaim(
    String tokenHash, String subject, long lastSeq, Map<String, StreamPosition> positions) {

  static ResumeClaim of(ResumeRequest request) {
    return new ResumeClaim(
        Tokens.hash(request.token()),
        request.subject(),
        request.lastSeq(),
        Map.copyOf(request.positions()));
  }

  /** The request it stands for, checked with this node's record: any channel may be read. */
  ResumeRequest request(String sessionId) {
    return new ResumeRequest(sessionId, null, lastSeq, positions, subject, channel -> true);
  }
}
