package org.robustws.admin;

import java.util.List;
import org.robustws.connection.ConnectionSnapshot;

/**
 * One page of {@code GET /api/connections}.
 *
 * @param total connections that match the filters, on all pages
 * @param offset how many matching connections come before this page
 * @param limit the page size that was applied
 * @param items the connections on this page, oldest first
 */
public record ConnectionPage(int total, int offset, int limit, List<ConnectionSnapshot> items) {}
