package org.robustws.channel;

import java.util.Set;

/**
 * Which sessions of this node listen on which channel. Each node has its own: the other nodes of a
 * cluster are told of every event and look up their own subscribers (fanout/).
 */
public interface ChannelRegistry {

  /**
   * @return true if the session was not yet subscribed
   */
  boolean subscribe(String channel, String sessionId);

  /**
   * @return true if the session was subscribed
   */
  boolean unsubscribe(String channel, String sessionId);

  /**
   * The channel's subscribers, read-only and weakly consistent: iterating never fails, and sees
   * every session subscribed throughout once. Not a copy: fan-out to 10,000 subscribers iterates it
   * ten times a second.
   */
  Set<String> subscribers(String channel);

  /** The number of channels with at least one subscriber. */
  int channelCount();

  /** The channels with at least one subscriber, read-only and weakly consistent. */
  Set<String> channels();
}
