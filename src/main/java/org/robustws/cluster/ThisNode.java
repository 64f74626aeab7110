package org.robustws.cluster;

import java.time.Clock;
import org.robustws.connection.ConnectionManager;
import org.robustws.fanout.LocalFanout;
import org.robustws.session.SessionStore;

/** What the commands of other nodes use on this one: its subscribers, connections and sessions. */
public record ThisNode(
    LocalFanout fanout, ConnectionManager connections, SessionStore sessions, Clock clock) {}
