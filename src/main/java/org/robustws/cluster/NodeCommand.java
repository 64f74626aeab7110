package org.robustws.cluster;

import java.io.Serializable;
import org.wildfly.clustering.server.dispatcher.RuntimeCommand;

/**
 * What one node asks of the others, run on each of them against {@link ThisNode}. Commands travel
 * serialized (JBoss Marshalling): records of strings and numbers, and so are their answers.
 *
 * @param <R> the answer, {@code Serializable}
 */
public interface NodeCommand<R> extends RuntimeCommand<R, ThisNode>, Serializable {}
