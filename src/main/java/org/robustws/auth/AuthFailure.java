package org.robustws.auth;

import java.util.Locale;

/**
 * A token that was refused, and why. Its message never contains the token: it goes to logs and
 * close reasons.
 */
public final class AuthFailure extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Why a token was refused; {@link #label()} is the {@code reason} of {@code ws_auth_failures}.
   */
  public enum Reason {
    SIGNATURE,
    EXPIRED,
    ISSUER,
    AUDIENCE,
    ALGORITHM,
    MALFORMED,
    NOT_BEFORE,
    UNKNOWN_KEY,
    MISSING_EXP,
    /** A refresh with a token of another {@code sub} than the connection's. */
    SUBJECT_CHANGED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  public AuthFailure(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
