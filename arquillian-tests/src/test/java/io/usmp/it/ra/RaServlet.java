package io.usmp.it.ra;

import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.HexFormat;

/** dump: what the MDB recorded for a device; send: a downlink through the connection factory. */
@WebServlet("/ra")
public class RaServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @EJB
    private RaRecorder recorder;

    @EJB
    private RaDownlinkBean downlink;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("text/plain");
        String op = req.getParameter("op");
        if ("dump".equals(op)) {
            resp.getWriter().print(recorder.dump(req.getParameter("device")));
        } else if ("send".equals(op)) {
            try {
                downlink.send(req.getParameter("device"), HexFormat.of().parseHex(req.getParameter("hex")),
                        Boolean.parseBoolean(req.getParameter("fail")));
                resp.getWriter().print("ok");
            } catch (Exception e) {
                resp.getWriter().print("error " + e.getClass().getSimpleName());
            }
        } else if ("sequence".equals(op)) {
            try {
                downlink.sendSequence(req.getParameter("device"), Integer.parseInt(req.getParameter("count")));
                resp.getWriter().print("ok");
            } catch (Exception e) {
                resp.getWriter().print("error " + e.getClass().getSimpleName());
            }
        } else {
            resp.sendError(400, "unknown op");
        }
    }
}
