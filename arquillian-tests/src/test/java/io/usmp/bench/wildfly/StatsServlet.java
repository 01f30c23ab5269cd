package io.usmp.bench.wildfly;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** GET: {@link Probe#snapshot()}; POST: {@link Probe#reset()}. */
@WebServlet("/stats")
public class StatsServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        resp.getWriter().write(Probe.snapshot());
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) {
        Probe.reset();
        resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }
}
