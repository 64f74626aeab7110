package org.robustws.it.observer;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * What {@link ObservedMessages} saw, one per line, for MessageObserverIT to read: the messages, or
 * with {@code ?what=lifecycle} the opens, closes and resumes.
 */
@WebServlet("/test/observed-messages")
public class ObservedMessagesServlet extends HttpServlet {
  @Inject ObservedMessages observed;

  @Override
  protected void doGet(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    response.setContentType("text/plain");
    List<String> lines =
        "lifecycle".equals(request.getParameter("what")) ? observed.lifecycle() : observed.seen();
    response.getWriter().write(String.join("\n", lines));
  }
}
