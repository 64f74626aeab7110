package org.robustws.protocol;

import java.util.regex.Pattern;

/** Channel names: 1-128 characters of {@code [A-Za-z0-9._:-]} (docs/protocol.md section 3). */
public final class Channels {
  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private Channels() {}

  public static boolean isValid(String channel) {
    return channel != null && VALID.matcher(channel).matches();
  }
}
