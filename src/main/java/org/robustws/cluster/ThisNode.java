package org.robustws.cluster;

import java.time.Clock;
import org.robustws.admin.StatsService;
import org.robustws.connection.ConnectionManager;
import org.robustws.fanout.Fanout;
import org.robustws.fanout.LocalFanout;
import org.robustws.session.SessionStore;

/**
 * What the commands of other nodes use on this one: its subscribers, the channels it appends,
 * connections, sessions and figures. {@code name}: its name in the cluster.
 */
public record ThisNode(
    String name,
    LocalFanout fanout,
    Fanout publications,
    ConnectionManager connections,
    SessionStore sessions,
    StatsService stats,
    Clock clock) {}
