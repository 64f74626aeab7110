package org.robustws.cluster;

import java.time.Clock;
import org.robustws.admin.StatsService;
import org.robustws.connection.ConnectionManager;
import org.robustws.fanout.LocalFanout;
import org.robustws.session.SessionStore;
import org.robustws.stream.ChannelStreams;
import org.robustws.stream.TopologyFence;

/**
 * What the commands of other nodes use on this one: its subscribers, connections, sessions,
 * figures, the fence of its appends and its copy of the streams. {@code name}: its name in the
 * cluster.
 */
public record ThisNode(
    String name,
    LocalFanout fanout,
    ConnectionManager connections,
    SessionStore sessions,
    StatsService stats,
    TopologyFence fence,
    ChannelStreams streams,
    Clock clock) {}
