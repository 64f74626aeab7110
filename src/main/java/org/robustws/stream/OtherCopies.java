package org.robustws.stream;

import java.util.List;
import java.util.Map;

/**
 * The other nodes of a cluster as {@link HeadCopies} reads them: each one's own copy of some keys
 * of the streams cache, read there without a lock.
 */
@FunctionalInterface
public interface OtherCopies {
  /** A lone server's: there are no other nodes. */
  OtherCopies NONE = keys -> Map.of();

  /**
   * @return by node name, each key's value on that node ({@code null}: it holds none), for every
   *     other node of the view that runs the application
   * @throws IllegalStateException if one of them did not answer
   */
  Map<String, List<String>> of(List<String> keys);
}
