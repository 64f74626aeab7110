package org.robustws.protocol;

/**
 * A client's place in a channel, as {@code resume.positions} and {@code resumed.positions} carry
 * it: the last {@code offset} processed and the {@code epoch} of the channel's stream at that time.
 */
public record Position(long offset, String epoch) {}
