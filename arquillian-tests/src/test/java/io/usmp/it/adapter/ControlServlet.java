package io.usmp.it.adapter;

import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import javax.management.JMException;
import javax.management.ObjectName;

/** Lets the client-side tests read what the MDB recorded and trigger downlink sends. */
@WebServlet("/control")
public class ControlServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @EJB
    private Recorder recorder;

    @EJB
    private DownlinkBean downlink;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        String op = req.getParameter("op");
        if ("dump".equals(op)) {
            resp.getWriter().print(recorder.dump());
        } else if ("events".equals(op)) {
            resp.getWriter().print(recorder.events(req.getParameter("device")));
        } else if ("mbean".equals(op)) {
            try {
                Object value = ManagementFactory.getPlatformMBeanServer().getAttribute(
                        new ObjectName(req.getParameter("name")), req.getParameter("attribute"));
                resp.getWriter().print(value);
            } catch (JMException e) {
                resp.getWriter().print("error " + e);
            }
        } else if ("heap".equals(op)) {
            // Live heap as well as a test can see it: after collections, what is still reachable.
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            resp.getWriter().print(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        } else if ("heads".equals(op)) {
            resp.getWriter().print(recorder.heads(req.getParameter("device")));
        } else if ("gate".equals(op)) {
            Gate.set(Boolean.parseBoolean(req.getParameter("close")));
            resp.getWriter().print("ok");
        } else if ("clear".equals(op)) {
            recorder.clear();
            resp.getWriter().print("ok");
        } else if ("send".equals(op) || "sequence".equals(op)) {
            try {
                String device = req.getParameter("device");
                if ("sequence".equals(op)) {
                    downlink.sendSequence(device, Integer.parseInt(req.getParameter("count")));
                } else if (Boolean.parseBoolean(req.getParameter("fail"))) {
                    downlink.sendThenFail(device, HexFormat.of().parseHex(req.getParameter("hex")));
                } else {
                    downlink.send(device, HexFormat.of().parseHex(req.getParameter("hex")),
                            Boolean.parseBoolean(req.getParameter("rollback")));
                }
                resp.getWriter().print("ok");
            } catch (Exception e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                resp.getWriter().print("error " + root.getClass().getSimpleName());
            }
        } else {
            resp.sendError(400, "unknown op");
        }
    }
}
