package org.robustws.auth;

/** Turns a signed token into the identity it proves, or says why it proves nothing. */
@FunctionalInterface
public interface TokenVerifier {

  /**
   * @throws AuthFailure for every token that is not valid now, its reason bounded
   */
  Identity verify(String token) throws AuthFailure;
}
