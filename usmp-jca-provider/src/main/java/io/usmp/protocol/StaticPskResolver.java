package io.usmp.protocol;

import java.util.Arrays;
import java.util.Map;
import javax.security.auth.Destroyable;

/** Keys held in memory; {@link #destroy()} wipes them. */
final class StaticPskResolver implements PskResolver, Destroyable {
    private final Map<DeviceId, byte[]> keys;
    private final byte[] shared;
    private volatile boolean destroyed;

    StaticPskResolver(Map<DeviceId, byte[]> keys, byte[] shared) {
        this.keys = keys;
        this.shared = shared;
    }

    @Override
    public byte[] resolve(DeviceId device) {
        if (destroyed) {
            return null;
        }
        byte[] key = shared != null ? shared : keys.get(device);
        return key == null ? null : key.clone();
    }

    @Override
    public void destroy() {
        destroyed = true;
        keys.values().forEach(k -> Arrays.fill(k, (byte) 0));
        if (shared != null) {
            Arrays.fill(shared, (byte) 0);
        }
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String toString() {
        return shared != null ? "PskResolver[shared key]" : "PskResolver[" + keys.size() + " devices]";
    }
}
