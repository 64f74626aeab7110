package org.robustws.connection;

import java.util.concurrent.Executor;

/** The threads that fan out the publications of {@code /ws} clients, off the io threads. */
@FunctionalInterface
public interface PublishExecutor extends Executor {}
