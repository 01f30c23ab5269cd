package io.usmp.it.adapter;

import jakarta.ejb.EJB;
import jakarta.resource.ResourceException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import javax.management.JMException;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/** Lets DialOutIT drive {@link DialBean} and read the DialPool statistics. */
@WebServlet("/dial")
public class DialServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @EJB
    private DialBean dial;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        String op = req.getParameter("op");
        String factory = req.getParameter("factory");
        try {
            switch (op) {
                case "tx" -> {
                    List<String> msgs = Arrays.asList(req.getParameter("msgs").split(","));
                    dial.sendAll(factory, msgs, Boolean.parseBoolean(req.getParameter("rollback")));
                    resp.getWriter().print("ok");
                }
                case "fail" -> dial.sendThenFail(factory, req.getParameter("msg"));
                case "cycles" -> {
                    dial.cycles(factory, Integer.parseInt(req.getParameter("n")));
                    resp.getWriter().print("ok");
                }
                case "pause" -> resp.getWriter().print(dial.sendPauseSend(factory, req.getParameter("first"),
                        Long.parseLong(req.getParameter("millis")), req.getParameter("second")));
                case "send" -> resp.getWriter().print(dial.send(factory, req.getParameter("msg")));
                case "request" -> resp.getWriter().print(dial.request(factory, req.getParameter("msg")));
                case "concurrent" -> resp.getWriter().print(String.join(",",
                        dial.concurrentRequests(factory, Arrays.asList(req.getParameter("msgs").split(",")))));
                case "stats" -> resp.getWriter().print(stats(req.getParameter("name"), req.getParameter("attribute")));
                default -> resp.sendError(400, "unknown op");
            }
        } catch (Exception e) {
            Throwable t = e;
            while (!(t instanceof ResourceException) && t.getCause() != null) {
                t = t.getCause();
            }
            String code = t instanceof ResourceException re ? " " + re.getErrorCode() : "";
            resp.getWriter().print("error " + t.getClass().getSimpleName() + code);
        }
    }

    private static String stats(String name, String attribute) throws JMException {
        Object value = ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName("io.usmp:type=DialPool,name="
                + ObjectName.quote(name)), attribute);
        if (value instanceof TabularData table) {
            TreeMap<String, Object> m = new TreeMap<>();
            for (Object row : table.values()) {
                CompositeData cd = (CompositeData) row;
                m.put((String) cd.get("key"), cd.get("value"));
            }
            return m.toString();
        }
        return String.valueOf(value);
    }
}
