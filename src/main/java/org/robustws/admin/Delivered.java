package org.robustws.admin;

/**
 * The answer to {@code POST /api/broadcast}.
 *
 * @param delivered subscribed sessions for a channel; open connections for a broadcast to all
 */
public record Delivered(int delivered) {}
