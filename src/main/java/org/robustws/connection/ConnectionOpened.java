package org.robustws.connection;

/** CDI event: a connection was accepted and announced to its client. */
public record ConnectionOpened(ConnectionSnapshot connection) {}
