package io.usmp.it.probe;

/** The message listener interface of the probe adapter; the probe MDB implements it. */
public interface ProbeListener {
    void onProbe(String message);
}
